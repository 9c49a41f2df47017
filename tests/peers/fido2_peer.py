#!/usr/bin/env python3
"""python-fido2 (PyPI, pinned by the Rust test) as an independent CTAP2 peer of
keydesk-sim, talking CTAPHID over the simulator's Unix socket (each message
one 64-byte report, no report ID).

Usage:
  fido2_peer.py enrol  SOCKET PIN         getInfo, set the PIN, register a
                                          discoverable credential with hmac-secret,
                                          assert with it (with and without allowList)
  fido2_peer.py verify SOCKET PIN CRED    after a restart of the simulator: the
                                          PIN and the credential (hex of the
                                          attested credential data) are still there
  fido2_peer.py manage SOCKET PIN         credential management (0x0A, or 0x41 on
                                          5.4.3) lists and deletes it; on CTAP 2.1
                                          firmware authenticatorConfig raises the
                                          minimum PIN length

Checks are asserted here; a JSON summary on stdout is checked again by the
Rust test (tests/fido_peer.rs). Exit status 0 only if everything held.
"""

import json
import socket
import sys

from fido2.attestation import AttestationType, PackedAttestation
from fido2.client import Fido2Client, UserInteraction
from fido2.ctap2 import ClientPin, Config, CredentialManagement, Ctap2
from fido2.hid import CtapHidDevice
from fido2.hid.base import CtapHidConnection, HidDescriptor
from fido2.server import Fido2Server
from fido2.webauthn import AttestedCredentialData, PublicKeyCredentialUserEntity

REPORT = 64
ORIGIN = "https://example.com"
RP = {"id": "example.com", "name": "Example"}


class SocketConnection(CtapHidConnection):
    """One 64-byte report per read/write over a Unix stream socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)

    def write_packet(self, data):
        assert len(data) == REPORT, len(data)
        self.sock.sendall(data)

    def read_packet(self):
        buf = b""
        while len(buf) < REPORT:
            chunk = self.sock.recv(REPORT - len(buf))
            if not chunk:
                raise IOError("simulator closed the socket")
            buf += chunk
        return buf

    def close(self):
        self.sock.close()


class Pin(UserInteraction):
    def __init__(self, pin):
        self.pin = pin

    def prompt_up(self):
        pass

    def request_pin(self, permissions, rp_id):
        return self.pin

    def request_uv(self, permissions, rp_id):
        return True


def open_device(path):
    desc = HidDescriptor(path, 0x1050, 0x0407, REPORT, REPORT, "keydesk-sim", None)
    return CtapHidDevice(desc, SocketConnection(path))


def self_attestation(attestation_object, client_data_hash):
    result = PackedAttestation().verify(
        attestation_object.att_stmt, attestation_object.auth_data, client_data_hash
    )
    assert result.attestation_type == AttestationType.SELF, result.attestation_type


def assert_with(dev, pin, cred, allow, salt=None):
    server = Fido2Server(RP)
    client = Fido2Client(dev, ORIGIN, user_interaction=Pin(pin))
    extensions = {"hmacGetSecret": {"salt1": salt}} if salt else None
    opts, state = server.authenticate_begin(
        [cred] if allow else None, user_verification="required", extensions=extensions
    )
    sel = client.get_assertion(opts.public_key)
    res = sel.get_response(0)
    server.authenticate_complete(
        state,
        [cred],
        res.credential_id,
        res.client_data,
        res.authenticator_data,
        res.signature,
    )
    assert res.authenticator_data.is_user_verified()
    return res


def enrol(path, pin):
    dev = open_device(path)
    ctap2 = Ctap2(dev)
    info = ctap2.get_info()
    assert "FIDO_2_0" in info.versions, info.versions
    assert info.options.get("clientPin") is False, info.options
    ClientPin(ctap2).set_pin(pin)
    retries = ClientPin(ctap2).get_pin_retries()[0]
    assert retries == 8, retries
    assert Ctap2(dev).get_info().options["clientPin"] is True

    server = Fido2Server(RP, attestation="direct", verify_attestation=self_attestation)
    client = Fido2Client(dev, ORIGIN, user_interaction=Pin(pin))
    user = PublicKeyCredentialUserEntity(id=b"user-0001", name="alice", display_name="Alice")
    opts, state = server.register_begin(
        user,
        resident_key_requirement="required",
        user_verification="required",
        extensions={"hmacCreateSecret": True},
    )
    result = client.make_credential(opts.public_key)
    assert result.extension_results.get("hmacCreateSecret") is True, result.extension_results
    auth_data = server.register_complete(state, result.client_data, result.attestation_object)
    assert auth_data.is_user_verified()
    cred = auth_data.credential_data
    assert bytes(cred.aaguid) == bytes(info.aaguid)

    first = assert_with(dev, pin, cred, allow=True, salt=b"s" * 32)
    second = assert_with(dev, pin, cred, allow=False, salt=b"s" * 32)
    other = assert_with(dev, pin, cred, allow=False, salt=b"t" * 32)
    assert other.authenticator_data.counter > second.authenticator_data.counter
    assert second.authenticator_data.counter > first.authenticator_data.counter
    assert second.user_handle == b"user-0001"
    # hmac-secret: fido2 decrypts the outputs; same salt, same secret.
    out = [r.extension_results["hmacGetSecret"]["output1"] for r in (first, second, other)]
    assert len(out[0]) == 32 and out[0] == out[1] and out[0] != out[2], out
    dev.close()
    return {
        "versions": info.versions,
        "aaguid": bytes(info.aaguid).hex(),
        "pin_protocols": info.pin_uv_protocols,
        "max_msg_size": info.max_msg_size,
        "device_version": list(dev.device_version),
        "pin_retries": retries,
        "credential": bytes(cred).hex(),
        "credential_id": cred.credential_id.hex(),
        "counter": other.authenticator_data.counter,
        "extensions": info.extensions,
        "hmac_secret": out[0].hex(),
    }


def verify(path, pin, cred_hex):
    dev = open_device(path)
    ctap2 = Ctap2(dev)
    info = ctap2.get_info()
    assert info.options["clientPin"] is True, info.options
    cred = AttestedCredentialData(bytes.fromhex(cred_hex))
    res = assert_with(dev, pin, cred, allow=False, salt=b"s" * 32)
    dev.close()
    return {
        "hmac_secret": res.extension_results["hmacGetSecret"]["output1"].hex(),
        "client_pin": info.options["clientPin"],
        "credential_id": res.credential_id.hex(),
        "counter": res.authenticator_data.counter,
    }


def manage(path, pin):
    dev = open_device(path)
    ctap2 = Ctap2(dev)
    client_pin = ClientPin(ctap2)
    cfg = bool(ctap2.info.options.get("authnrCfg"))
    perms = ClientPin.PERMISSION.CREDENTIAL_MGMT
    if cfg:
        perms |= ClientPin.PERMISSION.AUTHENTICATOR_CFG
    token = client_pin.get_pin_token(pin, perms)
    cm = CredentialManagement(ctap2, client_pin.protocol, token)
    before = cm.get_metadata()[CredentialManagement.RESULT.EXISTING_CRED_COUNT]
    rps = cm.enumerate_rps()
    rp_ids = [rp[CredentialManagement.RESULT.RP]["id"] for rp in rps]
    creds = cm.enumerate_creds(rps[0][CredentialManagement.RESULT.RP_ID_HASH])
    users = [c[CredentialManagement.RESULT.USER]["name"] for c in creds]
    min_pin = None
    if cfg:
        Config(ctap2, client_pin.protocol, token).set_min_pin_length(len(pin))
        info = Ctap2(dev).get_info()
        assert info.force_pin_change is False, "the PIN is long enough"
        min_pin = info.min_pin_length
    cm.delete_cred(creds[0][CredentialManagement.RESULT.CREDENTIAL_ID])
    after = cm.get_metadata()[CredentialManagement.RESULT.EXISTING_CRED_COUNT]
    dev.close()
    return {
        "before": before,
        "after": after,
        "rp_ids": rp_ids,
        "users": users,
        "min_pin_length": min_pin,
    }


def main(argv):
    if argv[1] == "enrol":
        out = enrol(argv[2], argv[3])
    elif argv[1] == "verify":
        out = verify(argv[2], argv[3], argv[4])
    elif argv[1] == "manage":
        out = manage(argv[2], argv[3])
    else:
        raise SystemExit(f"unknown phase {argv[1]!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
