import hashlib


def hash_password(password):
    return hashlib.md5(password.encode()).hexdigest()  # expect: py/weak-password-hash


def register(user, form):
    digest = hashlib.new("sha1", form["password"].encode())  # expect: py/weak-password-hash
    user.password_hash = digest.hexdigest()
