#!/usr/bin/env python3
"""Deterministic grader for the matching evaluation set.

Reads categories.json, exhibits.json and intents.json (next to this file) and writes grades.json:
    {"<intentId>": {"<exhibitId>": grade, ...}, ...}
for EVERY (intent, exhibit) pair of the same category, grade 0 included.

Rules (see README.md):
  base: 3 exact (same product), 2 substitute, 1 complement, 0 other.
  the three downgrades below apply to exact and substitute products (a complement keeps its 1):
  -1 if the exhibit misses a certification the intent requires (after normalisation of spelling);
  -1 if both have prices (converted to USD: USD 1, EUR 1.08, CNY 0.14) and the exhibit's min price is more
     than 2x the intent's max, or the exhibit's max is less than 0.3x the intent's min;
  -1 if the exhibit MOQ and the intent quantity are in units of the same kind and the MOQ is more than
     3x the intent quantity;
  downgrades add up; a grade never goes below 0.
Usage: python3 grade.py            (writes grades.json and prints a summary)
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))

USD_RATE = {"USD": 1.0, "EUR": 1.08, "CNY": 0.14}

# ---------------------------------------------------------------- certifications
# words around the mark that do not change it ("CE认证", "certificación CE", "сертификат EAC", "marquage CE", ...)
CERT_WORDS = [
    "认证", "認證", "证书", "認証",
    "certification", "certificación", "certificacion", "certificação", "certificacao", "certificado",
    "certificat", "certificate", "certified", "marquage", "marcado", "marca", "mark", "marking",
    "сертификат", "сертификация", "сертификации", "شهادة", "علامة",
    # languages nothing was fitted on (de, it, ja, ko, tr, vi, pl, id): "CE-Kennzeichnung", "GS-Zeichen",
    # "marcatura CE", "PSEマーク", "KC 인증", "TSE belgesi", "CE sertifikası", "chứng nhận CE", "znak CE",
    # "certyfikat CE", "sertifikat SNI", ...
    "kennzeichnung", "zeichen", "prüfzeichen", "zertifikat", "zertifizierung", "zertifiziert",
    "marcatura", "marchio", "certificazione", "certificato",
    "マーク", "認定", "인증", "인증서", "마크",
    "belgesi", "belgeli", "sertifikası", "sertifikasi", "sertifika", "işareti",
    "chứng nhận", "chứng chỉ",
    "certyfikat", "certyfikacja", "certyfikatem", "znak", "oznakowanie",
    "sertifikat", "bersertifikat",
]
CERT_ALIASES = {
    "3c": "ccc",
    "еас": "eac",          # Cyrillic letters
    "ul listed": "ul", "ullisted": "ul", "etllisted": "etl",
    "oekotexstandard100": "oekotex", "oekotex100": "oekotex", "oekotex": "oekotex",
    "iso9001:2015": "iso9001", "iso9001:2008": "iso9001",
    "astmf96317": "astmf963", "astmf963": "astmf963",
    "tüv": "tuv", "tuv": "tuv",
    "iec62133-2": "iec62133", "iec621332": "iec62133",
    "vdearn4105": "vde4105",   # "VDE-AR-N 4105" (German grid code) = "VDE 4105"
}


def _cjk(w):
    """Han, kana or Hangul: such words are written with or without a space next to the mark ("KC인증", "KC 인증")."""
    return all("\u3400" <= ch <= "\u9fff" or "\u3040" <= ch <= "\u30ff" or "\uac00" <= ch <= "\ud7af"
               for ch in w)


def norm_cert(s):
    """'CE认证' / 'certificación CE' / 'marquage CE' -> 'ce'; 'ISO 9001' -> 'iso9001'; 'ROHS' -> 'rohs'."""
    t = s.strip().lower()
    words = sorted(CERT_WORDS, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for w in words:
            # Latin/Cyrillic/Arabic words must stand apart, by spaces or a hyphen ("GS-Zeichen", "CE-Kennzeichnung")
            sep = r"\s*" if _cjk(w) else r"[\s\-]+"
            for pat in (r"^" + re.escape(w) + sep, sep + re.escape(w) + r"$"):
                new = re.sub(pat, "", t).strip()
                if new != t and new:
                    t, changed = new, True
    t = re.sub(r"[\s\-_]+", "", t)
    return CERT_ALIASES.get(t, t)


# ---------------------------------------------------------------- units
UNIT_KINDS = {
    "pieces": ["pcs", "pc", "pieces", "piece", "个", "個", "件", "只", "片", "张", "把", "条", "块", "口", "支",
               "unidades", "unidad", "piezas", "pieza", "peças", "peça", "шт", "штук", "штука", "штуки",
               "قطعة", "قطع", "وحدة", "pièces", "pièce", "unités", "unité", "units", "unit", "台",
               "stück", "stk", "einheiten", "pezzi", "pezzo", "pz", "unità", "本", "枚", "着", "개", "대", "벌",
               "장", "adet", "cái", "chiếc", "tấm", "szt", "sztuk", "sztuki", "buah", "lembar"],
    "sets": ["sets", "set", "套", "组", "juegos", "juego", "jogos", "jogo", "conjuntos", "conjunto",
             "комплектов", "комплекта", "комплект", "ensembles", "ensemble", "طقم", "أطقم",
             "satz", "sätze", "kit", "セット", "組", "세트", "takım", "bộ", "kpl", "kompletów", "komplety",
             "kompletu", "zestawów", "zestawy"],
    "pairs": ["pairs", "pair", "双", "雙", "对", "對", "副", "pares", "par", "пар", "пары", "paires", "paire",
              "زوج", "أزواج",
              "paar", "paia", "paio", "足", "켤레", "çift", "đôi", "pary", "pasang"],
    "meters": ["m", "meters", "meter", "metres", "metre", "米", "metros", "metro", "метров", "метра", "метр",
               "м", "mètres", "mètre", "متر",
               "metri", "メートル", "미터", "mét", "metrów", "metry", "mb"],
    "kg": ["kg", "kgs", "千克", "公斤", "кг", "كغ", "كجم", "kilos", "kilogramm", "chilogrammi", "キロ", "킬로그램",
           "kilogram", "kilogramów"],
    "tons": ["tons", "ton", "t", "吨", "噸", "toneladas", "tonelada", "тонн", "тонны", "тонна", "tonnes",
             "tonne", "طن",
             "tonnen", "tonnellate", "tonnellata", "トン", "톤", "tấn", "tony"],
    "rolls": ["rolls", "roll", "卷", "rollos", "rollo", "rolos", "rolo", "рулонов", "рулона", "рулон",
              "rouleaux", "rouleau", "لفة",
              "rolle", "rollen", "rotoli", "rotolo", "ロール", "巻", "롤", "rulo", "cuộn", "rolek", "rolki", "rol",
              "gulungan"],
    "boxes": ["boxes", "box", "箱", "盒", "cartons", "carton", "ctns", "ctn", "cajas", "caja", "caixas", "caixa",
              "коробок", "коробки", "коробка", "boîtes", "boîte", "cartons", "صندوق", "كرتونة",
              "karton", "kartons", "scatole", "scatola", "cartoni", "cartone", "ケース", "박스", "상자", "koli",
              "kutu", "thùng", "hộp", "kartonów", "kartony", "kardus", "dus", "kotak"],
}
UNIT_KIND = {u: kind for kind, us in UNIT_KINDS.items() for u in us}
# a spelling belongs to one kind only
assert len(UNIT_KIND) == len({(u, k) for k, us in UNIT_KINDS.items() for u in us}), "unit spelling in two kinds"


def unit_kind(u):
    t = u.strip().lower().rstrip(".")
    return UNIT_KIND.get(t)


# ---------------------------------------------------------------- grading
def usd(p, key):
    return p[key] * USD_RATE[p["currency"]]


def grade_pair(intent, exhibit, subs, comps):
    a, b = intent["product"], exhibit["product"]
    if a == b:
        g = 3
    elif frozenset((a, b)) in subs:
        g = 2
    elif frozenset((a, b)) in comps:
        g = 1
    else:
        return 0
    reasons = []
    if g >= 2 and intent["certifications"]:
        have = {norm_cert(c) for c in exhibit["certifications"]}
        if any(norm_cert(c) not in have for c in intent["certifications"]):
            g -= 1
            reasons.append("cert")
    if g < 2:
        # a complement's price and MOQ are those of a different product: not compared
        return g
    tp, ep = intent.get("targetPrice"), exhibit.get("price")
    if tp and ep:
        if usd(ep, "min") > 2 * usd(tp, "max") or usd(ep, "max") < 0.3 * usd(tp, "min"):
            g -= 1
            reasons.append("price")
    q, moq = intent.get("quantity"), exhibit.get("moq")
    if q and moq:
        k1, k2 = unit_kind(q["unit"]), unit_kind(moq["unit"])
        if k1 is not None and k1 == k2 and moq["quantity"] > 3 * q["amount"]:
            g -= 1
            reasons.append("moq")
    return max(g, 0)


def main():
    load = lambda fn: json.load(open(os.path.join(HERE, fn), encoding="utf-8"))
    cats, exhibits, intents = load("categories.json"), load("exhibits.json"), load("intents.json")
    rel = {c["id"]: ({frozenset(p) for p in c["substitutes"]}, {frozenset(p) for p in c["complements"]})
           for c in cats}
    grades = {}
    per_grade = Counter()
    for it in intents:
        subs, comps = rel[it["categoryId"]]
        row = {}
        for ex in exhibits:
            if ex["categoryId"] != it["categoryId"]:
                continue
            g = grade_pair(it, ex, subs, comps)
            row[ex["id"]] = g
            per_grade[g] += 1
        grades[it["id"]] = row
    with open(os.path.join(HERE, "grades.json"), "w", encoding="utf-8") as f:
        json.dump(grades, f, indent=1, sort_keys=True)
        f.write("\n")

    total = sum(per_grade.values())
    print("pairs:", total, " per grade:", {g: per_grade[g] for g in sorted(per_grade, reverse=True)})
    bad = []
    print("exhibits graded >= 2 per intent:")
    line = []
    for it in intents:
        n = sum(1 for g in grades[it["id"]].values() if g >= 2)
        line.append("%s:%d" % (it["id"], n))
        if n == 0:
            bad.append(it["id"])
    for i in range(0, len(line), 10):
        print("  " + "  ".join(line[i:i + 10]))
    if bad:
        print("ERROR: intents without any exhibit graded >= 2:", bad)
        sys.exit(1)
    print("every intent has at least one exhibit graded >= 2")


if __name__ == "__main__":
    main()
