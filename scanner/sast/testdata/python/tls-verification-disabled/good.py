import ssl

import requests


def fetch(url):
    return requests.get(url, verify="/etc/ssl/internal-ca.pem", timeout=10)


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def parse(token, verify=False):
    return token if verify else None
