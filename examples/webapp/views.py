"""A Flask view and a cache helper that unpickle what they are given."""
import base64
import pickle

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/restore", methods=["POST"])
def restore():
    state = pickle.loads(base64.b64decode(request.form["state"]))
    return {"restored": len(state)}


def load_settings(text):
    return yaml.load(text, Loader=yaml.Loader)


def load_defaults():
    return yaml.load("debug: false", Loader=yaml.SafeLoader)


def clone(obj):
    return pickle.loads(pickle.dumps(obj))
