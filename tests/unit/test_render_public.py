"""public(): private members (names starting with "_") cut at every depth, everything
else copied exactly; the fast path (cutting them out of compact JSON) agrees with the
plain walk on random objects, including hostile strings."""
from __future__ import annotations

import random

import orjson

from connect_sandbox.http.render import _strip_private, _walk, public, public_json

KEYS = ["a", "_b", "id", "_", "__x", "c_", "_behaviour", "k:\"_y", "_\"q", "z,{"]
STRINGS = ["", "_x", '"_x":', ',"_a":1', '{"_', "\\", '\\"_x":', "]}", "naïve", "\u2028",
           "a\"b", "{[", "_"]


def _value(rng: random.Random, depth: int):
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice(STRINGS)
    if kind == 1:
        return rng.choice([0, -1, 2.5, 10**20, True, False, None])
    if kind == 2:
        return rng.choice(STRINGS) + rng.choice(STRINGS)
    if kind in (3, 4):
        return rng.randrange(1000)
    if kind == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return _object(rng, depth + 1)


def _object(rng: random.Random, depth: int) -> dict:
    return {rng.choice(KEYS) + rng.choice(["", "1", "_"]): _value(rng, depth)
            for _ in range(rng.randrange(6))}


def test_fast_path_matches_the_walk_on_random_objects() -> None:
    rng = random.Random(7)
    for _ in range(20000):
        obj = _object(rng, 0)
        assert public(obj) == _walk(obj)


def test_cuts_first_middle_last_and_every_member() -> None:
    cases = {
        b'{"_a":1,"b":2}': {"b": 2},
        b'{"b":2,"_a":1}': {"b": 2},
        b'{"_a":1,"_b":{"c":[1,{"_d":2}]},"e":3}': {"e": 3},
        b'{"_a":1,"_b":2}': {},
        b'{"x":{"_a":"}"},"y":[{"_b":[1,"]"]},{"c":null}]}': {"x": {}, "y": [{}, {"c": None}]},
        b'{"s":"\\",\\"_a\\":1","_t":true}': {"s": '","_a":1'},
    }
    for raw, want in cases.items():
        assert orjson.loads(_strip_private(raw)) == want


def test_the_copy_is_independent() -> None:
    obj = {"a": {"b": [1]}, "_p": {"q": 1}}
    out = public(obj)
    out["a"]["b"].append(2)
    assert obj["a"]["b"] == [1] and out == {"a": {"b": [1, 2]}}


def test_public_json_is_the_public_copy_serialized() -> None:
    """An event stores public_json() as an orjson.Fragment (services/events.py): the
    event's JSON must be byte for byte what it is with the parsed copy in its place."""
    rng = random.Random(11)
    for _ in range(5000):
        obj = _object(rng, 0)
        raw = public_json(obj)
        if raw is None:  # orjson refuses it (an integer beyond 64 bits): public() walks
            assert public(obj) == _walk(obj)
            continue
        assert orjson.loads(raw) == public(obj)
        assert orjson.dumps({"data": {"object": orjson.Fragment(raw)}, "x": 1}) == \
            orjson.dumps({"data": {"object": public(obj)}, "x": 1})


def test_private_values_of_every_shape_are_cut_whole() -> None:
    """_value_end's flat fast path and its token walk, at every kind of private value."""
    cases = {
        b'{"a":1,"_b":{"c":"}","d":"]"},"e":2}': {"a": 1, "e": 2},
        b'{"a":1,"_b":{"c":"x\\"}y"},"e":2}': {"a": 1, "e": 2},
        b'{"a":1,"_b":["]",{"c":[1]},"{"],"e":2}': {"a": 1, "e": 2},
        b'{"_b":{},"a":[{"_c":[],"d":{"_e":"\\\\"}}]}': {"a": [{"d": {}}]},
        b'{"a":"_b","_c":null,"d":["_e",{"_f":false}]}': {"a": "_b", "d": ["_e", {}]},
        b'{"a":{"_b":-1.5e3},"_c":"\\u005f"}': {"a": {}},
    }
    for raw, want in cases.items():
        assert orjson.loads(_strip_private(raw)) == want, raw
        assert _strip_private(raw, raw.find(b'"_')) == _strip_private(raw)
