"""Builds a small world on a running fairlink-local through its API and prints one bearer
token per role as JSON: the fuzzing run uses them to call every operation as each role.

Roles: organizer, exhibitor main, sub-account without permissions, sub-account with all,
buyer (who owns an intent, a booking and a conversation), another buyer.
"""

import datetime
import json
import sys
import urllib.request

BASE = sys.argv[1].rstrip("/")


def call(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def token(account_id):
    return call("POST", "/v1/dev/tokens", body={"accountId": account_id})["token"]


def profile(name, email, **extra):
    return {"name": name, "email": email, "phone": "+8613800138000", "language": "zh",
            "timeZone": "Asia/Shanghai", **extra}


now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda t: t.isoformat().replace("+00:00", "Z")
organizer = token("organizer")
call("PUT", "/v1/fair", organizer, {
    "name": "Canton Fair", "timeZone": "Asia/Shanghai",
    "startsAt": iso(now + datetime.timedelta(days=2)), "endsAt": iso(now + datetime.timedelta(days=12)),
    "distributionLockAt": iso(now + datetime.timedelta(days=1)), "defaultRecommendationQuota": 10,
    "zones": [{"id": "electronics", "name": "Electronics"}],
    "categories": [{"id": "speakers", "name": "Speakers", "zoneId": "electronics", "parentId": None}],
})
created = call("POST", "/v1/exhibitors", organizer, {
    "name": "Shenzhen Audio", "zoneIds": ["electronics"],
    "mainAccount": profile("Main", "main@fuzz.example")})
eid = created["exhibitor"]["id"]
main = token(created["mainAccount"]["id"])
plain = call("POST", f"/v1/exhibitors/{eid}/accounts", main,
             profile("Plain", "plain@fuzz.example", permissions=[], zoneIds=["electronics"]))
staff = call("POST", f"/v1/exhibitors/{eid}/accounts", main,
             profile("Staff", "staff@fuzz.example", zoneIds=["electronics"],
                     permissions=["recommend", "intents", "im", "appointments", "exhibitMatches"]))
exhibit = call("POST", f"/v1/exhibitors/{eid}/exhibits", main,
               {"name": "蓝牙音箱", "nameEn": "Bluetooth speaker", "categoryId": "speakers", "keywords": ["bluetooth"]})
call("POST", f"/v1/exhibits/{exhibit['id']}/recommendation", main)
buyers = []
for n in range(2):
    buyer = call("POST", "/v1/buyers", body={"name": f"Buyer {n}", "company": "Lee Imports", "country": "US",
                                             "email": f"buyer{n}@fuzz.example", "language": "en", "timeZone": "UTC"})
    buyers.append(token(buyer["id"]))
call("POST", "/v1/intents", buyers[0], {
    "productName": "Bluetooth speaker", "categoryId": "speakers", "quantity": {"amount": 500, "unit": "pcs"},
    "destinationCountry": "US", "validUntil": iso(now + datetime.timedelta(days=30)), "exhibitorId": eid})
slot = call("POST", f"/v1/exhibitors/{eid}/slots", main, {"startsAt": iso(now + datetime.timedelta(days=3))})
call("POST", f"/v1/slots/{slot['id']}/bookings", buyers[0], {})
conversation = call("POST", "/v1/conversations", buyers[0], {"exhibitorId": eid})
call("POST", f"/v1/conversations/{conversation['id']}/messages", buyers[0], {"type": "text", "text": "Hello"})

print(json.dumps({
    "organizer": organizer, "main": main, "plain": token(plain["id"]), "staff": token(staff["id"]),
    "buyer": buyers[0], "other-buyer": buyers[1],
}))
