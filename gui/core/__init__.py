"""The core: no Qt. Engine access, specs with their CLI twins, checks, formulas and samplers, one folder per feature;
helpers every feature uses (format, log, fileio, ansi, errors, secrets, reference) stay at this level."""
