import sqlite3

from flask import Flask, request
from sqlalchemy import text

app = Flask(__name__)
db = sqlite3.connect("app.db")
TABLE = "items"


@app.route("/item")
def item():
    cur = db.cursor()
    cur.execute("SELECT * FROM items WHERE id = ?", (request.args["id"],))
    return {"item": cur.fetchone()}


def by_owner(session, owner):
    return session.execute(text("SELECT * FROM items WHERE owner = :owner"), {"owner": owner})


def count():
    return db.execute("SELECT count(*) FROM " + TABLE)


def log(logger, name):
    logger.execute(f"report {name}")
