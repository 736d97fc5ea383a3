"""CMS: detached signatures over a pack manifest, and the envelope to a recipient's certificate.

Signing uses pyHanko with the injected clock's time; verification checks the maths with pyHanko
and leaves trust (paths, usages, CRLs, clocks) to ``app.core.crypto.trust``, offline. The envelope
(AES-256-GCM; RSA-OAEP or ECDH key transport) authenticates the content but not the sender:
callers sign first and then encrypt, and name the recipient inside the signed manifest
(SECURITY.md finding 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any, ClassVar

from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from cryptography.hazmat.primitives.padding import PKCS7

from app.core.crypto.keys import CryptoError, DecryptionKey, Identity
from app.core.crypto.trust import SignatureCheck, embedded_certs, integrity_context, judge_status
from app.core.outcome import SigStatus


def sign_detached(data: bytes, identity: Identity, *, now: datetime) -> bytes:
    """A detached CAdES-BES signature (CMS SignedData, DER, SHA-256, RSA-PSS, certificates included).

    The signed attributes carry the content type, the message digest, the signing time (``now``,
    the caller's clock) and ESS signing-certificate-v2 (RFC 5035), which binds the signer's
    certificate to the signature as the PDF's PAdES signature does. ``openssl cms -verify`` accepts it.
    """
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    # pades owns the pyHanko signer over the already-loaded key; imported here (pades imports cms).
    from app.core.crypto.pades import _signer

    try:
        info = asyncio.run(
            _signer(identity, prefer_pss=True).async_sign_general_data(
                data,
                "sha256",
                detached=True,
                use_cades=True,
                signed_attr_settings=PdfCMSSignedAttributes(signing_time=now),
            )
        )
    except Exception as exc:
        raise CryptoError(f"Manifest: it could not be signed ({exc})") from exc
    return bytes(info.dump())


def signer_public_key(signature: bytes) -> bytes | None:
    """The signer's public key (SubjectPublicKeyInfo DER) from a CMS signature, or None if unreadable.

    Read without checking the signature: used to recognise a person (their key), not to trust them.
    """
    try:
        signed = asn1_cms.ContentInfo.load(signature)["content"]
        sid = signed["signer_infos"][0]["sid"]
        for choice in signed["certificates"] or []:
            cert = choice.chosen
            if not isinstance(cert, asn1_x509.Certificate):
                continue
            tbs = cert["tbs_certificate"]
            if (
                sid.name == "issuer_and_serial_number"
                and sid.chosen["serial_number"].native == tbs["serial_number"].native
                and sid.chosen["issuer"] == tbs["issuer"]
            ) or (sid.name == "subject_key_identifier" and sid.chosen.native == cert.key_identifier):
                return bytes(tbs["subject_public_key_info"].dump())
    except Exception:  # untrusted bytes: unreadable is simply "unknown"
        return None
    return None


def verify_detached(
    data: bytes,
    signature: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    now: datetime,
    crls: Sequence[x509.CertificateRevocationList] = (),
    moment: datetime | None = None,
) -> SignatureCheck:
    """Check a detached CMS signature over ``data``; never raises on bad input.

    pyHanko checks the maths; ``trust.judge`` decides trust at the signer's claimed time (the CMS
    signing-time attribute, else ``moment``) against this computer's ``now``.
    """
    from pyhanko.sign.validation import async_validate_detached_cms

    try:
        info = asn1_cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            return SignatureCheck(SigStatus.UNREADABLE, detail="the signature file is not a CMS signature")
        signed_data = info["content"]
        others = embedded_certs(signed_data)
        if not others:
            return SignatureCheck(
                SigStatus.UNREADABLE, detail="the signature does not include the signer's certificate"
            )
        status = asyncio.run(
            async_validate_detached_cms(data, signed_data, signer_validation_context=integrity_context())
        )
        return judge_status(
            status, now=now, roots=trust_roots, crls=crls, others=others, fallback_time=moment
        )
    except Exception as exc:  # untrusted input: any failure means "invalid", never a crash
        return SignatureCheck(
            SigStatus.UNREADABLE, detail=f"the signature cannot be read ({type(exc).__name__})"
        )


# --- Envelopes to a recipient (RFC 5652 / 5083 / 5084 / 5753 / 8017) ------------------------------
#
# New packs are AuthEnvelopedData with AES-256-GCM (the content carries its own integrity), the
# content key sent by RSA-OAEP (SHA-256) to an RSA certificate or by ECDH (P-256 / P-384, X9.63 KDF,
# AES key wrap) to an EC one. ``cryptography`` cannot build these, so they are put together with
# asn1crypto here; OpenSSL 3's ``openssl cms -decrypt`` opens both. Old packs (EnvelopedData,
# PKCS#1 v1.5, AES-CBC) still open. Every failure to open reads the same (no oracle hints).

_OPEN_FAILED = "Encrypted pack: it cannot be opened with this key"
_CURVE_KDF: dict[str, tuple[str, type[hashes.HashAlgorithm]]] = {
    # curve → (RFC 5753 dhSinglePass-stdDH-*kdf-scheme OID, the KDF's hash)
    "secp256r1": ("1.3.132.1.11.1", hashes.SHA256),
    "secp384r1": ("1.3.132.1.11.2", hashes.SHA384),
}
_KDF_HASH: dict[str, type[hashes.HashAlgorithm]] = {
    **{oid: h for oid, h in _CURVE_KDF.values()},
    # read as well: what other tools write (OpenSSL's default is the SHA-1 KDF)
    "1.3.133.16.840.63.0.2": hashes.SHA1,
    "1.3.132.1.11.0": hashes.SHA224,
    "1.3.132.1.11.3": hashes.SHA512,
}
_WRAP_OIDS = {"aes128_wrap": 16, "aes192_wrap": 24, "aes256_wrap": 32}
_OAEP_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class GCMParameters(asn1_core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """RFC 5084 §3.2: the nonce and the tag length of AES-GCM."""

    _fields: ClassVar = [
        ("aes_nonce", asn1_core.OctetString),
        ("aes_icvlen", asn1_core.Integer, {"default": 12}),
    ]


class EccCmsSharedInfo(asn1_core.Sequence):  # type: ignore[misc]
    """RFC 5753 §7.2: the X9.63 KDF's SharedInfo."""

    _fields: ClassVar = [
        ("key_info", asn1_algos.EncryptionAlgorithm),
        ("entity_u_info", asn1_core.OctetString, {"explicit": 0, "optional": True}),
        ("supp_pub_info", asn1_core.OctetString, {"explicit": 2}),
    ]


def _shared_info(wrap: str, ukm: bytes | None) -> bytes:
    info = {"key_info": {"algorithm": wrap}, "supp_pub_info": (_WRAP_OIDS[wrap] * 8).to_bytes(4, "big")}
    if ukm is not None:
        info["entity_u_info"] = ukm
    return bytes(EccCmsSharedInfo(info).dump())


def _kek(z: bytes, kdf_oid: str, wrap: str, ukm: bytes | None) -> bytes:
    return X963KDF(_KDF_HASH[kdf_oid](), _WRAP_OIDS[wrap], _shared_info(wrap, ukm)).derive(z)


def _issuer_serial(cert: x509.Certificate) -> asn1_cms.IssuerAndSerialNumber:
    tbs = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))["tbs_certificate"]
    return asn1_cms.IssuerAndSerialNumber({"issuer": tbs["issuer"], "serial_number": tbs["serial_number"]})


def _recipient_info(cek: bytes, recipient: x509.Certificate) -> asn1_cms.RecipientInfo:
    public = recipient.public_key()
    rid = _issuer_serial(recipient)
    if isinstance(public, rsa.RSAPublicKey):
        if public.key_size < 2048:
            raise CryptoError(f"Recipient certificate: its {public.key_size}-bit key is too weak")
        oaep = asn1_algos.RSAESOAEPParams(
            {
                "hash_algorithm": {"algorithm": "sha256"},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
            }
        )
        encrypted = public.encrypt(
            cek, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        )
        return asn1_cms.RecipientInfo(
            name="ktri",
            value={
                "version": "v0",
                "rid": asn1_cms.RecipientIdentifier(name="issuer_and_serial_number", value=rid),
                "key_encryption_algorithm": {"algorithm": "rsaes_oaep", "parameters": oaep},
                "encrypted_key": encrypted,
            },
        )
    if isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name in _CURVE_KDF:
        kdf_oid, _hash = _CURVE_KDF[public.curve.name]
        ephemeral = ec.generate_private_key(public.curve)
        kek = _kek(ephemeral.exchange(ec.ECDH(), public), kdf_oid, "aes256_wrap", None)
        point = ephemeral.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return asn1_cms.RecipientInfo(
            name="kari",
            value={
                "version": "v3",
                "originator": asn1_cms.OriginatorIdentifierOrKey(
                    name="originator_key",
                    # parameters absent: the curve is the recipient's (RFC 5753 §7.1.1, as OpenSSL writes)
                    value={"algorithm": {"algorithm": "ec"}, "public_key": point},
                ),
                "key_encryption_algorithm": {
                    "algorithm": kdf_oid,
                    "parameters": asn1_cms.KeyEncryptionAlgorithm({"algorithm": "aes256_wrap"}),
                },
                "recipient_encrypted_keys": [
                    {
                        "rid": asn1_cms.KeyAgreementRecipientIdentifier(
                            name="issuer_and_serial_number", value=rid
                        ),
                        "encrypted_key": aes_key_wrap(kek, cek),
                    }
                ],
            },
        )
    raise CryptoError(
        "Recipient certificate: its key must be RSA (2048 bits or more) or EC on P-256 or P-384"
    )


def envelope_encrypt(data: bytes, recipient: x509.Certificate) -> bytes:
    """CMS AuthEnvelopedData (DER, AES-256-GCM) to one RSA (OAEP) or EC (ECDH) recipient.

    ``openssl cms -decrypt`` (OpenSSL 3) opens it.
    """
    cek = os.urandom(32)
    nonce = os.urandom(12)
    info = _recipient_info(cek, recipient)
    sealed = AESGCM(cek).encrypt(nonce, data, None)  # ciphertext ‖ 16-byte tag
    env = asn1_cms.AuthEnvelopedData(
        {
            "version": "v0",
            "recipient_infos": [info],
            "auth_encrypted_content_info": {
                "content_type": "data",
                "content_encryption_algorithm": {
                    "algorithm": "aes256_gcm",
                    "parameters": GCMParameters({"aes_nonce": nonce, "aes_icvlen": 16}),
                },
                "encrypted_content": sealed[:-16],
            },
            "mac": sealed[-16:],
        }
    )
    return bytes(
        asn1_cms.ContentInfo({"content_type": "authenticated_enveloped_data", "content": env}).dump()
    )


def _rid_matches(rid: Any, cert: x509.Certificate | None) -> bool:
    if cert is None:
        return True  # no certificate at hand: try the key on every recipient
    if rid.name == "issuer_and_serial_number":
        return bool(rid.chosen.dump() == _issuer_serial(cert).dump())
    try:
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return False
    value = rid.chosen["subject_key_identifier"] if rid.name == "r_key_id" else rid.chosen
    return bool(value.native == ski)


def _content_keys(env: Any, key: DecryptionKey, cert: x509.Certificate | None) -> list[bytes]:
    """Every content key this private key can unwrap from the envelope's recipients."""
    keys: list[bytes] = []
    for ri in env["recipient_infos"]:
        info = ri.chosen
        try:
            if ri.name == "ktri" and isinstance(key, rsa.RSAPrivateKey) and _rid_matches(info["rid"], cert):
                alg = info["key_encryption_algorithm"]
                if alg["algorithm"].native == "rsaes_oaep":
                    params = asn1_algos.RSAESOAEPParams.load(alg["parameters"].dump())
                    hash_cls = _OAEP_HASHES[params["hash_algorithm"]["algorithm"].native]
                    mgf_cls = _OAEP_HASHES[params["mask_gen_algorithm"]["parameters"]["algorithm"].native]
                    pad: padding.AsymmetricPadding = padding.OAEP(
                        mgf=padding.MGF1(mgf_cls()), algorithm=hash_cls(), label=None
                    )
                else:
                    pad = padding.PKCS1v15()  # packs written before OAEP
                keys.append(key.decrypt(info["encrypted_key"].native, pad))
            elif ri.name == "kari" and isinstance(key, ec.EllipticCurvePrivateKey):
                alg = info["key_encryption_algorithm"]
                kdf_oid = alg["algorithm"].dotted
                wrap = asn1_cms.KeyEncryptionAlgorithm.load(alg["parameters"].dump())["algorithm"].native
                point = info["originator"].chosen["public_key"].native
                peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, point)
                ukm = info["ukm"].native if info["ukm"].native is not None else None
                kek = _kek(key.exchange(ec.ECDH(), peer), kdf_oid, wrap, ukm)
                for rek in info["recipient_encrypted_keys"]:
                    if _rid_matches(rek["rid"], cert):
                        keys.append(aes_key_unwrap(kek, rek["encrypted_key"].native))
        except Exception:  # noqa: S112 - one uniform failure; another recipient may match
            continue
    return keys


def envelope_open(data: bytes, key: DecryptionKey, cert: x509.Certificate | None = None) -> bytes:
    """Open an envelope (new AuthEnvelopedData or old EnvelopedData) with the recipient's key.

    With ``cert`` only the recipients naming it are tried. One message for every failure.
    """
    if envelope_type(data[:_HEAD]) == "authenticated_enveloped_data":
        with contextlib.suppress(NotStreamable):  # not plain DER: parsed whole below
            return envelope_open_stream(io.BytesIO(data), key, cert).getvalue()
    try:
        info = asn1_cms.ContentInfo.load(data)
        kind = info["content_type"].native
        env = info["content"]
        if kind == "authenticated_enveloped_data":
            enc = env["auth_encrypted_content_info"]
            algo = enc["content_encryption_algorithm"]
            if algo["algorithm"].native not in ("aes128_gcm", "aes192_gcm", "aes256_gcm"):
                raise CryptoError(_OPEN_FAILED)
            params = GCMParameters.load(algo["parameters"].dump())
            sealed = (enc["encrypted_content"].native or b"") + env["mac"].native
            if len(env["mac"].native) != params["aes_icvlen"].native:
                raise CryptoError(_OPEN_FAILED)
            attrs = env["auth_attrs"]
            # RFC 5083 §2.2: authenticated attributes are MACed as an (untagged) SET OF.
            aad = b"\x31" + attrs.dump()[1:] if attrs.native is not None else None
            for cek in _content_keys(env, key, cert):
                try:
                    gcm = AESGCM(cek)
                except ValueError:
                    continue
                try:
                    return gcm.decrypt(params["aes_nonce"].native, sealed, aad)
                except InvalidTag:
                    continue
        elif kind == "enveloped_data":
            enc = env["encrypted_content_info"]
            algo = enc["content_encryption_algorithm"]
            if algo["algorithm"].native not in ("aes128_cbc", "aes192_cbc", "aes256_cbc"):
                raise CryptoError(_OPEN_FAILED)
            for cek in _content_keys(env, key, cert):
                try:
                    decryptor = Cipher(algorithms.AES(cek), modes.CBC(algo["parameters"].native)).decryptor()
                    padded = decryptor.update(enc["encrypted_content"].native) + decryptor.finalize()
                    unpadder = PKCS7(128).unpadder()
                    return unpadder.update(padded) + unpadder.finalize()
                except ValueError:
                    continue
    except Exception as exc:
        raise CryptoError(_OPEN_FAILED) from exc
    raise CryptoError(_OPEN_FAILED)


# -- AuthEnvelopedData, read from a file in place -------------------------------------------------
# asn1crypto copies every nested level's contents on parsing, so a 100 MB envelope parsed whole
# costs several hundred megabytes. Only the small parts (recipients, algorithm, MAC) are parsed
# with asn1crypto; the encrypted content is located by walking the DER headers and decrypted in
# chunks straight from the file (AES-GCM, whose tag is checked before anything is returned).

_HEAD = 256 * 1024  # everything before the encrypted content (recipients, algorithm) fits here
_OID_KIND = {
    bytes.fromhex("060b2a864886f70d0109100117"): "authenticated_enveloped_data",
    bytes.fromhex("06092a864886f70d010703"): "enveloped_data",
}


def _tlv(buf: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at ``pos`` (definite lengths only)."""
    tag, first = buf[pos], buf[pos + 1]
    if tag & 0x1F == 0x1F or first == 0x80:
        raise ValueError("high tag numbers and indefinite lengths are not DER")
    if first < 0x80:
        return tag, pos + 2, pos + 2 + first
    n = first & 0x7F
    if n > 4:
        raise ValueError("length too long")
    start = pos + 2 + n
    return tag, start, start + int.from_bytes(buf[pos + 2 : start], "big")


def envelope_type(head: bytes) -> str | None:
    """ "authenticated_enveloped_data", "enveloped_data" or None, from a file's first bytes."""
    try:
        if head[:1] != b"\x30":
            return None
        start = 2 if head[1] == 0x80 else _tlv(head, 0)[1]  # BER from other tools: indefinite length
        _t, _o_start, o_end = _tlv(head, start)
        return _OID_KIND.get(bytes(head[start:o_end]))
    except (IndexError, ValueError):
        return None


class NotStreamable(ValueError):
    """The envelope is not plain DER AuthEnvelopedData with AES-GCM: open it whole instead."""


def envelope_open_stream(
    fh: IO[bytes], key: DecryptionKey, cert: x509.Certificate | None = None
) -> io.BytesIO:
    """Open an AuthEnvelopedData (AES-GCM) envelope read from ``fh``; the plaintext in memory, the
    ciphertext never held whole. One message for every failure to open; ``NotStreamable`` when
    the envelope's encoding needs the whole-file reader (``envelope_open``)."""
    try:
        layout = _gcm_layout(fh)
    except (IndexError, KeyError, ValueError, TypeError) as exc:
        raise NotStreamable(str(exc)) from exc
    recipients, nonce, mac, aad, c_start, c_end = layout
    for cek in _content_keys({"recipient_infos": recipients}, key, cert):
        try:
            decryptor = Cipher(
                algorithms.AES(cek), modes.GCM(nonce, mac, min_tag_length=len(mac))
            ).decryptor()
        except ValueError:
            continue
        if aad is not None:
            decryptor.authenticate_additional_data(aad)
        out = io.BytesIO()
        fh.seek(c_start)
        remaining = c_end - c_start
        while remaining:
            chunk = fh.read(min(1024 * 1024, remaining))
            if not chunk:
                raise CryptoError(_OPEN_FAILED)
            out.write(decryptor.update(chunk))
            remaining -= len(chunk)
        try:
            decryptor.finalize()
        except InvalidTag:
            continue
        out.seek(0)
        return out
    raise CryptoError(_OPEN_FAILED)


def _gcm_layout(fh: IO[bytes]) -> tuple[Any, bytes, bytes, bytes | None, int, int]:
    """(recipient infos, nonce, MAC, authenticated attributes, content start, content end)."""
    size = fh.seek(0, io.SEEK_END)
    fh.seek(0)
    head = fh.read(_HEAD)
    tag, info_start, info_end = _tlv(head, 0)
    if tag != 0x30 or info_end != size or envelope_type(head) != "authenticated_enveloped_data":
        raise ValueError("not a DER AuthEnvelopedData")
    _t, _s, oid_end = _tlv(head, info_start)
    tag, explicit, _e = _tlv(head, oid_end)
    tag2, pos, env_end = _tlv(head, explicit)
    if (tag, tag2) != (0xA0, 0x30):
        raise ValueError("malformed AuthEnvelopedData")
    # version, [originatorInfo], recipientInfos (SET), then authEncryptedContentInfo (SEQUENCE,
    # the one large element; its header, algorithm and content header lie within the head).
    parts: dict[int, tuple[int, int]] = {}  # tag → (element start, content end)
    while pos < env_end and 0x30 not in parts:
        tag, _c_start, c_end = _tlv(head, pos)
        parts.setdefault(tag, (pos, c_end))
        pos = c_end if tag != 0x30 else pos
    _t, ci_pos, ci_end = _tlv(head, parts[0x30][0])
    _t, _s, ct_end = _tlv(head, ci_pos)  # contentType
    _t, _a, alg_end = _tlv(head, ct_end)
    algo = asn1_cms.EncryptionAlgorithm.load(bytes(head[ct_end:alg_end]))
    content_tag, c_start, c_end = _tlv(head, alg_end)
    if content_tag != 0x80 or c_end != ci_end:  # [0] IMPLICIT OCTET STRING, primitive
        raise ValueError("unexpected encrypted content encoding")
    recipients = asn1_cms.RecipientInfos.load(bytes(head[parts[0x31][0] : parts[0x31][1]]))
    fh.seek(ci_end)
    trailer = fh.read(min(size - ci_end, 1024 * 1024))
    aad = mac = None
    pos = 0
    while pos < len(trailer):
        tag, t_start, t_end = _tlv(trailer, pos)
        if tag == 0xA1:  # authAttrs: MACed as an (untagged) SET OF (RFC 5083 §2.2)
            aad = b"\x31" + trailer[pos + 1 : t_end]
        elif tag == 0x04 and mac is None:
            mac = bytes(trailer[t_start:t_end])
        pos = t_end
    if algo["algorithm"].native not in ("aes128_gcm", "aes192_gcm", "aes256_gcm") or mac is None:
        raise ValueError("not AES-GCM")
    params = GCMParameters.load(algo["parameters"].dump())
    if len(mac) != params["aes_icvlen"].native:
        raise ValueError("wrong MAC length")
    return recipients, params["aes_nonce"].native, mac, aad, c_start, c_end


def envelope_decrypt(data: bytes, cert: x509.Certificate, key: DecryptionKey) -> bytes:
    """Open an envelope addressed to ``cert`` with its private key."""
    return envelope_open(data, key, cert)


def envelope_decrypt_with_key(data: bytes, key: DecryptionKey) -> bytes:
    """Open an envelope with only the recipient's private key (no certificate at hand)."""
    return envelope_open(data, key, None)


def is_envelope(data: bytes) -> bool:
    """Whether ``data`` looks like a CMS envelope (cheap check before a full parse)."""
    try:
        return bool(
            data[:1] == b"\x30"
            and asn1_cms.ContentInfo.load(data)["content_type"].native
            in ("enveloped_data", "authenticated_enveloped_data")
        )
    except Exception:
        return False


def envelope_kind(data: bytes) -> dict[str, str]:
    """What an envelope is made of, for reports and tests: content type, content cipher, key transport."""
    env = asn1_cms.ContentInfo.load(data)
    content = env["content"]
    auth = env["content_type"].native == "authenticated_enveloped_data"
    enc = content["auth_encrypted_content_info" if auth else "encrypted_content_info"]
    transports = []
    for ri in content["recipient_infos"]:
        alg = ri.chosen["key_encryption_algorithm"]["algorithm"]
        transports.append(alg.native if ri.name == "ktri" else f"ecdh:{alg.dotted}")
    return {
        "content_type": env["content_type"].native,
        "cipher": enc["content_encryption_algorithm"]["algorithm"].native,
        "key_transport": ",".join(transports),
    }
