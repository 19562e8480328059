"""Dockerfiles: the forgiving parser; lint (findings, Portside's rules with the rule table, shell-command reading
and the COPY-order rule, the hadolint runner, combined in lint); plain-words explanations; the wizard's recipes,
project scan, folder checks, requirement pinning, base-image choices and notes, and the sample AI app it can
create; recovery copies of unsaved edits."""
