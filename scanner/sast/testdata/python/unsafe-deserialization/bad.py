import pickle

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/import", methods=["POST"])
def import_settings():
    settings = yaml.load(request.data)  # expect: py/unsafe-deserialization
    return settings


@app.route("/restore", methods=["POST"])
def restore():
    state = pickle.loads(request.files["state"].read())  # expect: py/unsafe-deserialization
    return {"keys": list(state)}


def load_all(stream):
    return list(yaml.load_all(stream, Loader=yaml.Loader))  # expect: py/unsafe-deserialization


def legacy(text):
    return yaml.unsafe_load(text)  # expect: py/unsafe-deserialization
