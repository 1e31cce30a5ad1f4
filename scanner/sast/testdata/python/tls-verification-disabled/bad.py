import ssl

import httpx
import requests


def fetch(url):
    return requests.get(url, verify=False, timeout=10)  # expect: py/tls-verification-disabled


def client():
    return httpx.Client(verify=False)  # expect: py/tls-verification-disabled


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False  # expect: py/tls-verification-disabled
    ctx.verify_mode = ssl.CERT_NONE  # expect: py/tls-verification-disabled
    return ctx


unverified = ssl._create_unverified_context()  # expect: py/tls-verification-disabled
