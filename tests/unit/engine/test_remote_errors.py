"""A remote engine's failures (ssh://, tcp:// with TLS) read as sentences that say what to do next."""

import requests.exceptions

from gui.core.engine import remote_errors as re_
from gui.core.errors import EngineGone, explain
from tests.engine.tls_engine import make_certificates

HOST = "ssh://root@server:2222"
KEY = "[server]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHlBQ5vVVbU4tpzpWMnQaOBULWPIrTpOV5Cqd4AbNCHu"
FINGERPRINT = "SHA256:qci8QWXsUSxu5GMrE4ffTer16/feCk9349ssee9dY6w"  # what ssh-keygen -l -E sha256 prints for KEY
UNKNOWN = (
    "No ED25519 host key is known for [server]:2222 and you have requested strict checking.\r\n"
    "Host key verification failed.\r\n"
)
WRONG_CA = (
    "HTTPSConnectionPool(host='10.0.0.5', port=2376): Max retries exceeded with url: /v1.40/version (Caused by "
    "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to "
    "get local issuer certificate (_ssl.c:1006)')))"
)
BAD_CLIENT_CERT = "SSLError(1, '[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate (_ssl.c:2580)')"


def test_a_host_key_fingerprint_is_the_one_ssh_shows():
    assert re_.host_key_fingerprint(KEY) == FINGERPRINT
    assert re_.host_key_fingerprint("# server:22 SSH-2.0-OpenSSH_9.2") is None


def test_an_unknown_host_key_names_its_fingerprint_and_how_to_trust_it():
    assert re_.unknown_host_key_type(UNKNOWN) == "ssh-ed25519"
    sentence = re_.ssh_sentence(HOST, UNKNOWN, FINGERPRINT)
    assert FINGERPRINT in sentence
    assert "ssh -p 2222 root@server" in sentence
    assert "ssh-keyscan -p 2222 server >> ~/.ssh/known_hosts" in sentence


def test_a_refused_key_says_how_to_add_it():
    sentence = re_.ssh_sentence(HOST, "root@server: Permission denied (publickey).\r\n")
    assert sentence.startswith("root@server refused your SSH key.")
    assert "ssh-copy-id root@server" in sentence and "ssh-add" in sentence


def test_a_changed_host_key_warns_and_says_how_to_forget_the_old_one():
    stderr = "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n"
    sentence = re_.ssh_sentence(HOST, stderr)
    assert "has changed" in sentence and "ssh-keygen -R server" in sentence


def test_ssh_that_finds_no_server_or_no_docker():
    refused = re_.ssh_sentence(HOST, "ssh: connect to host server port 2222: Connection refused\r\n")
    assert refused.startswith("Nothing answers at server:2222.")
    unknown_name = re_.ssh_sentence(HOST, "ssh: Could not resolve hostname server: Name or service not known\r\n")
    assert unknown_name.startswith("The name server is not known")
    no_docker = re_.ssh_sentence(HOST, "bash: line 1: docker: command not found\n")
    assert no_docker == "root@server has no docker command. Install Docker on that computer, then try again."
    other = re_.ssh_sentence(HOST, "kex_exchange_identification: read: Connection reset by peer")
    assert "ssh -p 2222 root@server" in other and "Connection reset by peer" in other


def test_tls_failures_on_each_side():
    url = "tcp://10.0.0.5:2376"
    assert "your CA certificate (/certs/ca.pem) did not sign" in re_.tls_sentence(url, WRONG_CA, "/certs")
    mismatch = "certificate verify failed: IP address mismatch, certificate is not valid for '10.0.0.5'"
    assert re_.tls_sentence(url, mismatch).startswith("The engine's certificate is not made out for 10.0.0.5.")
    expired = "certificate verify failed: certificate has expired (_ssl.c:1006)"
    assert re_.tls_sentence(url, expired).startswith("The engine's certificate at 10.0.0.5 has expired.")
    refused = re_.tls_sentence(url, BAD_CLIENT_CERT, "/certs")
    assert "refused your client certificate (/certs/cert.pem)" in refused
    required = re_.tls_sentence(url, "tlsv13 alert certificate required")
    assert "asks for a client certificate" in required
    plain = re_.tls_sentence(url, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert "does not speak TLS" in plain
    assert re_.tls_sentence(url, "Connection aborted.") is None


def test_an_expired_client_certificate_says_when(tmp_path):
    folders = make_certificates(tmp_path)
    sentence = re_.tls_sentence("tcp://10.0.0.5:2376", BAD_CLIENT_CERT, str(folders["expired"]))
    assert sentence.startswith(f"Your client certificate ({folders['expired']}/cert.pem) expired on 20")
    assert "refused your client certificate" in re_.tls_sentence("tcp://h:1", BAD_CLIENT_CERT, str(folders["good"]))


def test_an_engine_too_old():
    sentence = re_.engine_too_old_sentence("1.38", "1.40")
    assert sentence.startswith("The engine speaks Docker API 1.38; Portside needs 1.40")
    assert "Update Docker" in sentence


def test_explain_words_a_tls_refusal_met_mid_session():
    error = explain(requests.exceptions.SSLError(WRONG_CA), "list the containers")
    assert isinstance(error, EngineGone)
    assert error.message.startswith("Could not list the containers: the engine at 10.0.0.5 showed a certificate")
    gone = explain(requests.exceptions.ConnectionError("Connection aborted."), "list the containers")
    assert gone.message == (
        "Could not list the containers: the Docker engine stopped answering. Portside reconnects when it is back."
    )
