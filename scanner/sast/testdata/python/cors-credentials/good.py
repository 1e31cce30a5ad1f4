from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://intranet.example.com"], supports_credentials=True)

public = Flask("public")
CORS(public)
