import sqlite3

from flask import Flask, request
from sqlalchemy import text

app = Flask(__name__)
db = sqlite3.connect("app.db")


@app.route("/item")
def item():
    item_id = request.args["id"]
    cur = db.cursor()
    cur.execute(f"SELECT * FROM items WHERE id = {item_id}")  # expect: py/sql-injection
    return {"item": cur.fetchone()}


@app.route("/search")
def search():
    term = request.args.get("q", "")
    query = "SELECT id, title FROM items WHERE title LIKE '%%%s%%'" % term
    db.execute(query)  # expect: py/sql-injection
    return "ok"


def by_owner(session, owner):
    return session.execute(text("SELECT * FROM items WHERE owner = '{}'".format(owner)))  # expect: py/sql-injection


def remove(cur, item_id):
    cur.execute("DELETE FROM items WHERE id = " + str(item_id))  # expect: py/sql-injection


def build_query(item_id):
    return "SELECT * FROM items WHERE id = " + item_id


@app.route("/item2")
def item2():
    # SQL built in another function is not followed.
    return db.execute(build_query(request.args["id"]))  # known-miss: py/sql-injection
