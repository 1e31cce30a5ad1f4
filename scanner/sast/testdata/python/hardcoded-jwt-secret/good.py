import os

import jwt
from flask import Flask

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]


def login(user):
    return jwt.encode({"sub": user.id}, os.environ["JWT_SECRET"], algorithm="HS256")


def check(token, public_key):
    return jwt.decode(token, public_key, algorithms=["RS256"])
