#!/usr/bin/env python3
# The availability figures of tools/report/availability.h worked out again,
# independently, for tests/regress/service_hours.sh: python3's zoneinfo
# for local time (the system's tzdata), integer seconds and Decimal for
# the percentages, plain lists of intervals for the set arithmetic.
#
#   availref.py SCENARIO.json
#
# SCENARIO: {"zone": "Europe/Stockholm",
#   "hours": [["mon-fri", "07:00", "18:00"]], "holidays": ["2026-04-03"],
#   "maintenance": [[FROM, TO]],
#   "systems": {ID: {"hours": [...] (optional, replaces the top level's),
#                    "holidays": [...] (optional, replaces),
#                    "groups": {"portfolio": "service", ...},
#                    "coverage": [[FROM, TO]], "outages": [[FROM, TO|null]]}},
#   "periods": [{"name": NAME, "from": "local ISO" or EPOCH, "to": ...,
#                "quarter": "2026Q1" | "month": "2026-03" | "year": "2026"}],
#   "groups": ["portfolio", ...]}
# Times are epoch seconds. Prints one JSON object a line per system (or
# group) and period: {"period", "who", "from", "to", and the report's
# keys}, the seconds as integers, percentages as exact decimal strings.
#
# Without a journal the figures come from a system's `up` rows: give
# "rows": [[START, UP], ...] (each row [START, START + "step"), UP 0..1)
# instead of coverage and outages. A row counts within service hours by
# the part of it inside them, its up share of that part; an outage (a
# run of rows below 1) counts there when one of its rows below 1 has any
# service time.
import datetime
import decimal
import json
import sys
import zoneinfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def norm(iv):
    out = []
    for a, b in sorted(x for x in iv if x[1] > x[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def inter(x, y):
    out = []
    for a, b in x:
        for c, d in y:
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                out.append([lo, hi])
    return norm(out)


def minus(x, y):
    out = []
    for a, b in x:
        cur = [[a, b]]
        for c, d in y:
            nxt = []
            for p, q in cur:
                if d <= p or c >= q:
                    nxt.append([p, q])
                    continue
                if c > p:
                    nxt.append([p, c])
                if d < q:
                    nxt.append([d, q])
            cur = nxt
        out += cur
    return norm(out)


def total(x):
    return sum(b - a for a, b in x)


def day_set(spec):
    out = set()
    for part in spec.split(","):
        a, _, b = part.partition("-")
        i, j = DAYS.index(a.lower()), DAYS.index((b or a).lower())
        while True:
            out.add(i)
            if i == j:
                break
            i = (i + 1) % 7
    return out


def local(zone, date, clock):
    h, m = map(int, clock.split(":"))
    if h == 24:
        date += datetime.timedelta(days=1)
        h = 0
    dt = datetime.datetime(date.year, date.month, date.day, h, m, tzinfo=zone)
    return int(dt.timestamp())  # fold 0


def service(zone, hours, holidays, frm, to):
    """The service hours in [frm, to): every local day that meets it."""
    if not hours and not holidays:
        return [[frm, to]]
    wins = [(day_set(d), a, b) for d, a, b in hours] or [
        (set(range(7)), "00:00", "24:00")]
    hol = {datetime.date.fromisoformat(h) for h in holidays}
    day = datetime.datetime.fromtimestamp(frm, zone).date()
    last = datetime.datetime.fromtimestamp(to - 1, zone).date()
    out = []
    while day <= last:
        if day not in hol:
            for days, a, b in wins:
                if day.weekday() in days:
                    out.append([local(zone, day, a), local(zone, day, b)])
        day += datetime.timedelta(days=1)
    return inter(norm(out), [[frm, to]])


def figures(sc, zone, sid, frm, to):
    s = sc["systems"][sid]
    per = [[frm, to]]
    known = inter(norm([list(c) for c in s["coverage"]]), per)
    maint = inter(norm([list(m) for m in sc.get("maintenance", [])]), per)
    out = norm([[a, b if b is not None else to] for a, b in s["outages"]])
    down = inter(inter(out, per), known)
    knm = minus(known, maint)
    dnm = minus(down, maint)
    svc = service(zone, s.get("hours", sc.get("hours", [])),
                  s.get("holidays", sc.get("holidays", [])), frm, to)
    f = {"period_s": to - frm, "known_s": total(known),
         "known_nm": total(knm), "down_nm": total(dnm),
         "maintenance_s": total(maint), "outages": len(dnm),
         "svc_s": total(svc), "svc_known": total(inter(known, svc)),
         "svc_known_nm": total(inter(knm, svc)),
         "svc_down_nm": total(inter(dnm, svc)),
         "svc_outages": sum(1 for o in dnm if total(inter([o], svc)) > 0)}
    return f


def figures_rows(sc, zone, sid, frm, to):
    s = sc["systems"][sid]
    step = sc["step"]
    svc = service(zone, s.get("hours", sc.get("hours", [])),
                  s.get("holidays", sc.get("holidays", [])), frm, to)
    f = dict.fromkeys(["known_s", "known_nm", "down_nm", "maintenance_s",
                       "outages", "svc_known", "svc_known_nm",
                       "svc_down_nm", "svc_outages"], 0)
    f["period_s"], f["svc_s"] = to - frm, total(svc)
    up = svc_up = decimal.Decimal(0)
    run, counted, prev = False, False, None
    for t, v in sorted(s["rows"]):
        if t < frm or t >= to:
            continue
        if prev is not None and t != prev + step:
            run = False  # an unknown row between ends a run
        prev = t
        v = decimal.Decimal(str(v))
        ov = total(inter([[t, t + step]], svc))
        f["known_s"] += step
        up += v * step
        f["svc_known"] += ov
        svc_up += v * ov
        if v < 1:
            if not run:
                f["outages"] += 1
                counted = False
            if ov > 0 and not counted:
                f["svc_outages"] += 1
                counted = True
            run = True
        else:
            run = False
    # As the tool keeps them: whole seconds of up time.
    f["known_nm"] = f["known_s"]
    f["down_nm"] = f["known_s"] - int(up.to_integral_value(decimal.ROUND_HALF_UP))
    f["svc_known_nm"] = f["svc_known"]
    f["svc_down_nm"] = f["svc_known"] - int(
        svc_up.to_integral_value(decimal.ROUND_HALF_UP))
    return f


def add(a, b):
    return {k: a.get(k, 0) + b[k] for k in b}


def pct(up, known):
    if known == 0:
        return None
    return str(decimal.Decimal(up) * 100 / decimal.Decimal(known))


def mean(s, n):
    return None if n == 0 else str(decimal.Decimal(s) / n)


def keys(f):
    return {"availability_pct": pct(f["known_nm"] - f["down_nm"],
                                    f["known_nm"]),
            "unknown_s": f["period_s"] - f["known_s"],
            "maintenance_s": f["maintenance_s"], "outages": f["outages"],
            "mttr_s": mean(f["down_nm"], f["outages"]),
            "service_availability_pct": pct(
                f["svc_known_nm"] - f["svc_down_nm"], f["svc_known_nm"]),
            "service_outages": f["svc_outages"],
            "service_mttr_s": mean(f["svc_down_nm"], f["svc_outages"]),
            "service_s": f["svc_s"],
            "service_unknown_s": f["svc_s"] - f["svc_known"]}


def bounds(zone, p):
    def at(y, m):
        return int(datetime.datetime(y, m, 1, tzinfo=zone).timestamp())
    if "quarter" in p:
        y, q = int(p["quarter"][:4]), int(p["quarter"][5])
        m = 3 * q - 2
        return at(y, m), at(y + (m + 3 > 12), (m + 2) % 12 + 1)
    if "month" in p:
        y, m = int(p["month"][:4]), int(p["month"][5:])
        return at(y, m), at(y + (m == 12), m % 12 + 1)
    if "year" in p:
        y = int(p["year"])
        return at(y, 1), at(y + 1, 1)

    def t(v):
        if isinstance(v, int):
            return v
        d = datetime.date.fromisoformat(v)
        return int(datetime.datetime(d.year, d.month, d.day,
                                     tzinfo=zone).timestamp())
    return t(p["from"]), t(p["to"])


def main():
    sc = json.load(open(sys.argv[1]))
    zone = zoneinfo.ZoneInfo(sc["zone"])
    for p in sc["periods"]:
        frm, to = bounds(zone, p)
        per = {}
        for sid in sc["systems"]:
            fig = figures_rows if "rows" in sc["systems"][sid] else figures
            per[sid] = fig(sc, zone, sid, frm, to)
            print(json.dumps(dict(period=p["name"], who=sid, frm=frm, to=to,
                                  **keys(per[sid]))))
        for by in sc.get("groups", []):
            groups = {}
            for sid, s in sc["systems"].items():
                g = s["groups"][by]
                groups[g] = add(groups.get(g, {}), per[sid])
            for g, f in groups.items():
                print(json.dumps(dict(period=p["name"], who=by + ":" + g,
                                      frm=frm, to=to, **keys(f))))


if __name__ == "__main__":
    main()
