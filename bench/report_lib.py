"""Shared by the report code of compare.sh and scale-out.sh (imported, not run).

Reading the RESULT lines of ssebench from a results file and an OUT dir, and
formatting the numbers of the tables: median [min–max] cells.  Each script
keeps its own metrics and table layout.
"""
import os
import statistics

# which way a metric is better; "" = informational
H, L, N = "higher", "lower", ""


def read_results(path):
    """The RESULT lines of a file as key=value dicts, in file order; [] if
    the file does not exist."""
    if not os.path.exists(path):
        return []
    rows = []
    for line in open(path):
        if not line.startswith("RESULT "):
            continue
        rows.append(dict(p.split("=", 1) for p in line.split()[1:] if "=" in p))
    return rows


def case_order(out, seen):
    """The cases of OUT/cases.txt (the run's selection, in its order), then
    any other case of `seen` in the order met."""
    order = []
    path = os.path.join(out, "cases.txt")
    if os.path.exists(path):
        order = [l.strip() for l in open(path) if l.strip()]
    for c in seen:
        if c not in order:
            order.append(c)
    return order


def num(kv, key):
    """kv[key] as a float, None if missing or not a number."""
    try:
        return float(kv[key])
    except (KeyError, ValueError):
        return None


def vals(kvs, key):
    """The numeric values of key over a list of dicts (missing ones left out)."""
    return [x for x in (num(kv, key) for kv in kvs) if x is not None]


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if v == int(v):
        return "%d" % v
    return "%.3g" % v


def cell(v):
    """(table cell, median): "median [min–max]", just the median for one
    value, "-" and None for none."""
    if not v:
        return "-", None
    med = statistics.median(v)
    if len(v) == 1:
        return fmt(med), med
    return "%s [%s–%s]" % (fmt(med), fmt(min(v)), fmt(max(v))), med
