import os

import jwt
from flask import Flask

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = "super-secret-signing-key"  # expect: py/hardcoded-jwt-secret
SECRET = "correct-horse-battery-staple"


def login(user):
    return jwt.encode({"sub": user.id}, SECRET, algorithm="HS256")  # expect: py/hardcoded-jwt-secret


def check(token):
    key = os.environ.get("JWT_SECRET", "dev-only-secret")
    return jwt.decode(token, key, algorithms=["HS256"])  # expect: py/hardcoded-jwt-secret


def refresh(claims):
    return jwt.encode(claims, key="another-inline-secret", algorithm="HS256")  # expect: py/hardcoded-jwt-secret
