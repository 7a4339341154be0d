#!/usr/bin/env python3
"""Turn the hand-written tuples in this folder into categories.json, exhibits.json, intents.json.

The text (names, descriptions, keywords, specs, ...) is written by hand in the *_data.py / exhibits_part*.py
files; this script only assigns ids, parses the compact "500 pcs" / "9.5-13 USD" notation and validates.
Run:  python3 tests/matching_set/authoring/build.py
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from categories_data import CATEGORIES  # noqa: E402
from exhibits_part1 import EXHIBITS_1  # noqa: E402
from exhibits_part2 import EXHIBITS_2  # noqa: E402
from intents_data import INTENTS  # noqa: E402
from intents_more_data import INTENTS_MORE  # noqa: E402

ISO = set("""AE AR AT AU BD BE BR BY CA CH CL CN CO DE EG ES FR GB GH HK ID IN IQ IR IT JO JP KE KR KW KZ MA MM MN MX MY
NG NL OM PE PH PK PL PT QA RU SA SD SE SG SN TH TR TW TZ US UZ VN YE ZA""".split())
# the countries of the buyers writing in de, it, ja, ko, tr, vi, pl, id (already in the list above; kept explicit)
ISO |= {"DE", "AT", "CH", "IT", "JP", "KR", "TR", "VN", "PL", "ID"}
REGIONS = {"EU", "MENA", "LATAM", "ASEAN", "GCC"}
LANG_COUNTRIES = {
    "es": {"ES", "MX", "CO", "CL", "AR"}, "pt": {"BR", "PT"}, "ru": {"RU", "KZ", "BY"},
    "ar": {"SA", "AE", "EG", "MA"}, "fr": {"FR", "BE", "MA", "SN", "CA"},
    "en": {"US", "GB", "AU", "NG", "IN", "DE"}, "zh": {"SG", "MY", "TW", "HK", "CN"},
    # languages nothing was fitted on (intents_more_data.py)
    "de": {"DE", "AT", "CH"}, "it": {"IT", "CH"}, "ja": {"JP"}, "ko": {"KR"}, "tr": {"TR"}, "vi": {"VN"},
    "pl": {"PL"}, "id": {"ID"},
}


def num(s):
    return float(s) if "." in s else int(s)


def parse_qty(s, amount_key):
    if s is None:
        return None
    n, unit = s.split(" ", 1)
    return {amount_key: num(n), "unit": unit}


def parse_price(s):
    if s is None:
        return None
    m = re.fullmatch(r"([\d.]+)-([\d.]+) (USD|EUR|CNY)", s)
    assert m, s
    lo, hi = num(m.group(1)), num(m.group(2))
    assert lo <= hi, s
    return {"min": lo, "max": hi, "currency": m.group(3)}


def split(s, sep="|"):
    return [x.strip() for x in s.split(sep) if x.strip()] if s else []


def main():
    cats = []
    prod_of = {}
    for c in CATEGORIES:
        ids = [p for p, _ in c["products"]]
        assert 4 <= len(ids) <= 7, c["id"]
        for pair in c["substitutes"] + c["complements"]:
            assert all(p in ids for p in pair), (c["id"], pair)
        prod_of[c["id"]] = set(ids)
        cats.append({"id": c["id"], "name": c["name"], "nameEn": c["nameEn"],
                     "products": [{"id": p, "label": l} for p, l in c["products"]],
                     "substitutes": c["substitutes"], "complements": c["complements"]})

    exhibits = []
    n = 0
    for block in (EXHIBITS_1, EXHIBITS_2):
        for cat, rows in block.items():
            assert cat in prod_of, cat
            for row in rows:
                product, name, name_en, desc, kw, specs, moq, price, certs, markets = row
                assert product in prod_of[cat], (cat, product)
                n += 1
                sp = {}
                for kv in split(specs, ";"):
                    k, v = kv.split("=", 1)
                    sp[k.strip()] = v.strip()
                mk = markets.split()
                for m in mk:
                    assert m in ISO or m in REGIONS, (name, m)
                exhibits.append({
                    "id": "x%03d" % n, "categoryId": cat, "product": product,
                    "name": name, "nameEn": name_en, "description": desc,
                    "keywords": split(kw), "specs": sp,
                    "moq": parse_qty(moq, "quantity"), "price": parse_price(price),
                    "certifications": split(certs), "markets": mk,
                })

    intents = []
    # INTENTS_MORE is appended after INTENTS, so the ids of INTENTS (i001-i126) never change; its languages
    # (the "languages nothing was fitted on") must not also appear in INTENTS
    assert not {r[0] for r in INTENTS} & {r[0] for r in INTENTS_MORE}
    for i, row in enumerate(INTENTS + INTENTS_MORE, 1):
        lang, cat, product, pname, desc, kw, qty, price, dest, certs = row
        assert cat in prod_of and product in prod_of[cat], row[:3]
        assert dest in LANG_COUNTRIES[lang] and dest in ISO, (lang, dest)
        intents.append({
            "id": "i%03d" % i, "lang": lang, "categoryId": cat, "product": product,
            "productName": pname, "description": desc, "keywords": split(kw),
            "quantity": parse_qty(qty, "amount"), "targetPrice": parse_price(price),
            "destinationCountry": dest, "certifications": split(certs),
        })

    # every intent's product (or a substitute of it) is offered by at least one exhibit of the category
    subs = {c["id"]: c["substitutes"] for c in cats}
    for it in intents:
        ok = set([it["product"]]) | {b for a, b in subs[it["categoryId"]] if a == it["product"]} \
            | {a for a, b in subs[it["categoryId"]] if b == it["product"]}
        assert any(e["categoryId"] == it["categoryId"] and e["product"] in ok for e in exhibits), it["id"]

    for fn, data in (("categories.json", cats), ("exhibits.json", exhibits), ("intents.json", intents)):
        with open(os.path.join(OUT, fn), "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.write("\n")

    # ---- report ----
    zh_only = [e for e in exhibits if e["nameEn"] is None]
    print("exhibits", len(exhibits), "chinese-only", len(zh_only), "(%.0f%%)" % (100 * len(zh_only) / len(exhibits)))
    print("per category", dict(Counter(e["categoryId"] for e in exhibits)))
    print("intents", len(intents), "per lang", dict(Counter(i["lang"] for i in intents)))
    print("intents per category", dict(Counter(i["categoryId"] for i in intents)))
    print("intent target price", sum(1 for i in intents if i["targetPrice"]),
          Counter(i["targetPrice"]["currency"] for i in intents if i["targetPrice"]))
    print("intent certs", sum(1 for i in intents if i["certifications"]))
    print("exhibit price currency", Counter(e["price"]["currency"] for e in exhibits if e["price"]),
          "no price", sum(1 for e in exhibits if not e["price"]), "no moq", sum(1 for e in exhibits if not e["moq"]))
    # products offered only by Chinese-only exhibits
    for c in cats:
        for p in c["products"]:
            ex = [e for e in exhibits if e["categoryId"] == c["id"] and e["product"] == p["id"]]
            if ex and all(e["nameEn"] is None for e in ex):
                print("only Chinese-only exhibits offer", c["id"], p["id"],
                      "intents:", [i["id"] for i in intents if i["product"] == p["id"]])
            if not ex:
                print("WARNING no exhibit for", c["id"], p["id"])
    # Latin letters in keywords of Chinese-only exhibits
    for e in zh_only:
        bad = [k for k in e["keywords"] if re.search(r"[A-Za-z]{3,}", k)]
        if bad:
            print("latin keyword in Chinese-only exhibit", e["id"], bad)
    for it in intents:
        if it["lang"] in ("ru", "ar", "zh", "ja", "ko"):
            lat = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", it["productName"] + " " + " ".join(it["keywords"]))
            if lat:
                print("latin tokens", it["id"], it["lang"], lat)


if __name__ == "__main__":
    main()
