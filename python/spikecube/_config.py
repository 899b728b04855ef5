"""Turns the Python forms of a config (dicts, keyword overrides) into the
``section.key=value`` assignments that ``spikecube-cli run --set`` takes, so
both front ends go through the same parser and report the same errors."""

import json
import numbers
import os


def toml_value(value):
    """The TOML literal of a Python value (bool, number, str, list)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return "[" + ", ".join(toml_value(v) for v in items) + "]"
    raise TypeError(f"cannot use a {type(value).__name__} as a config value; expected a bool, number, string or list")


def assignments(overrides):
    """``{"stdp.a_plus": 0.01, "neuron": {"noise": 0}}`` ->
    ``["stdp.a_plus=0.01", "neuron.noise=0"]``, in the order given."""
    out = []
    for key, value in overrides.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                out.append(f"{key}.{sub}={toml_value(v)}")
        else:
            out.append(f"{key}={toml_value(value)}")
    return out


def config_source(config):
    """Classifies the ``config`` argument: ("path", str), ("text", str) or
    ("dict", [assignments]). A str is TOML text when it holds a newline or an
    '=' and is not an existing file; otherwise it is a file path."""
    if isinstance(config, dict):
        return "dict", assignments(config)
    if isinstance(config, os.PathLike):
        return "path", os.fspath(config)
    if isinstance(config, str):
        if ("\n" in config or "=" in config) and not os.path.isfile(config):
            return "text", config
        return "path", config
    raise TypeError(f"config: expected a path, a TOML string or a dict, not {type(config).__name__}")
