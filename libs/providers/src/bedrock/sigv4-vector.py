"""Computes the SigV4 vector that sigv4.spec.ts checks, independently of the AWS SDK's signer.

Plain hashlib/hmac, following AWS's "Create a signed AWS API request" steps, with no botocore.
Run it with `python3 sigv4-vector.py`; it prints the canonical request and the Authorization header.
"""
import hashlib
import hmac
from urllib.parse import quote

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ=="
REGION = "us-east-1"
SERVICE = "bedrock"
AMZ_DATE = "20240620T120000Z"
HOST = "bedrock-runtime.us-east-1.amazonaws.com"
# The path as sent: the model id's ':' already percent-encoded once.
PATH = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
BODY = '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}'
HEADERS = {
    "accept": "application/json",
    "content-type": "application/json",
    "host": HOST,
    "x-amz-date": AMZ_DATE,
    "x-amz-security-token": SESSION_TOKEN,
}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hmac_sha256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


# Every service but S3 encodes each path segment once more: %3A is signed as %253A.
canonical_uri = "/".join(quote(segment, safe="-_.~") for segment in PATH.split("/"))
signed_headers = ";".join(sorted(HEADERS))
canonical_headers = "".join(f"{name}:{HEADERS[name].strip()}\n" for name in sorted(HEADERS))
canonical_request = "\n".join(["POST", canonical_uri, "", canonical_headers, signed_headers, sha256_hex(BODY.encode("utf-8"))])

date = AMZ_DATE[:8]
scope = f"{date}/{REGION}/{SERVICE}/aws4_request"
string_to_sign = "\n".join(["AWS4-HMAC-SHA256", AMZ_DATE, scope, sha256_hex(canonical_request.encode("utf-8"))])

key = ("AWS4" + SECRET_KEY).encode("utf-8")
for part in (date, REGION, SERVICE, "aws4_request"):
    key = hmac_sha256(key, part)
signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

print(canonical_request)
print()
print(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, SignedHeaders={signed_headers}, Signature={signature}")
