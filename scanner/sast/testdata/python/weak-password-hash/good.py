import hashlib
import os


def hash_password(password):
    salt = os.urandom(16)
    return salt + hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def etag(body):
    return hashlib.md5(body).hexdigest()


def fingerprint(data):
    return hashlib.new("sha1", data).hexdigest()
