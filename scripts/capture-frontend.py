#!/usr/bin/env python3
"""Drives openIMIS's web front end served by imis and records the GraphQL documents it sends.

Usage: scripts/capture-frontend.py BASE_URL OUT_DIR [--screenshots DIR] [--langs en,fr]
                                   [--only SCREEN,...] [--user Admin --password admin123]

BASE_URL is the server (e.g. http://127.0.0.1:8000; the app is under /front/). The script logs
in, switches the user's language the way a user does (the language menu of the top bar), and
walks every screen of docs/frontend.md in each language: lists, detail pages, and the
enrolment forms (a new family with its head, a member, a family edit, a new policy, a
contribution), which it fills and saves. It listens to every POST /api/graphql and writes each
distinct document (whitespace collapsed, uuids ignored) once to OUT_DIR/<screen>-<n>.json with
one sample of its variables, the HTTP status and the errors the server gave, its place in the
walk (`sequence`), and `uuids`: the global id ("<type>:<pk>") of each uuid it names, as the
answers showed them, so that a replay on a fresh demo can substitute that row's own uuid
(tests/tests/frontend_documents.rs). OUT_DIR's previous *.json files are replaced. Login
passwords are replaced by "<password>".

On the way it checks what the screens show: the enrolment-officer pickers offer officers; the
new policy (enrolled on the 1st of the month), once saved and opened again from its family, and
an existing new and renewal policy show the dates and value the server stores. Screenshots are
DIR/<lang>-<screen>[-detail|-filled|-saved|-unfinished].png; each is also searched for signs
of breakage ("[No Translation]", dollar amounts, a spinner still turning, a blank page).

It then prints the failing documents grouped by error, the checks, the signs of breakage, and
the steps it could not complete. Each step has a timeout; a failed step is logged and the walk
goes on.

Needs python3 with playwright and Chromium (/usr/bin/chromium, or --chromium PATH).
Start the server on a fresh demo database first (see docs/frontend.md).
"""

import argparse
import asyncio
import base64
import json
import pathlib
import random
import re
import sys
import traceback
from decimal import Decimal, InvalidOperation

from playwright.async_api import async_playwright

PASSWORD_PLACEHOLDER = "<password>"
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DECLARED_NAME_RE = re.compile(r"^\s*(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)")

# Field labels in both languages (English from the modules, French from fe-language_fr), matched
# whole, with or without the required mark. Playwright runs these as JavaScript regular
# expressions: no \b (ASCII-only there, it fails after "é").
LABELS = {
    "region": r"Region|Région",
    "district": r"District",
    "municipality": r"Municipality|Municipalité",
    "village": r"Village",
    "chfId": r"Insurance No\.?|N° d'assuré",
    "lastName": r"Last Name|Nom de famille",
    "otherNames": r"Given Names|Other Names|Autres noms|Prénoms?",
    "dob": r"Birth Date|Date de naissance",
    "gender": r"Gender|Genre",
    "relationship": r"Relationship|Relation|Lien de parenté",
    "address": r"Address details|Détails de l'adresse",
    "product": r"Product|Paquet de bénéfices",
    "enrollDate": r"Enrolment Date|Date d'adhésion",
    "startDate": r"Start Date|Date de début",
    "expiryDate": r"Expiry Date|Date d'expiration",
    "value": r"Value|Valeur",
    "officer": r"Officer|Enrolment Officer|Agent",
    "photoOfficer": r"Officer \(Photo\)|Agent",
    "amount": r"Amount|Montant",
    "receipt": r"Receipt No\.?|N° de reçu",
    "payDate": r"Payment Date|Date de paiement",
    "paymentType": r"Payment Type|Type de paiement",
    "category": r"Contribution Category|Catégorie de contribution",
}
# Buttons, by their text; untranslated keys show as key names (matched case-insensitively).
BUTTONS = {
    "addMember": r"^\s*(add new|familyaddnewinsuree\.buttontext)\s*$",
    "addPolicy": r"^\s*(add policy|action\.addpolicy\.buttontext)\s*$",
    "addPremium": r"^\s*(new contribution|addnewpremium\.buttontext)\s*$",
}
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
# What a screen shows when it is broken or unfinished, looked for in every screenshot's page.
NO_TRANSLATION = "[No Translation]"
DOLLAR_AMOUNT_RE = re.compile(r"\$\s?\d")


def label_pattern(key):
    return re.compile(r"^\s*(?:%s)\s*\*?\s*$" % LABELS[key], re.I)


def normalise(query):
    """The dedupe key of a document: whitespace collapsed, uuids ignored."""
    return UUID_RE.sub("<uuid>", " ".join(query.split()))


def hide_passwords(query, variables):
    query = re.sub(r'(password\s*:\s*)"(?:[^"\\]|\\.)*"', r'\1"%s"' % PASSWORD_PLACEHOLDER, query, flags=re.I)

    def walk(value, key=""):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str) and "password" in key.lower():
            return PASSWORD_PLACEHOLDER
        return value

    return query, walk(variables)


def chf_id():
    """A fresh insurance number under the demo rule: 8 digits then their value modulo 7."""
    body = random.randint(90_000_000, 99_999_999)
    return f"{body}{body % 7}"


def amount(text):
    """A shown or answered amount as a plain decimal string ("33,000.00" -> "33000.00")."""
    digits = re.sub(r"[^\d.,-]", "", text)
    if "," in digits and "." not in digits:
        digits = digits.replace(",", ".")
    digits = digits.replace(",", "")
    try:
        return str(Decimal(digits).quantize(Decimal("0.01")))
    except InvalidOperation:
        return text


def describe_policy(policy):
    return f"enrolled {policy['enrollDate']}, {policy['startDate']} to {policy['expiryDate']}, value {policy['value']}"


class StepFailed(Exception):
    pass


class Capture:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.records = []
        self.responses = []  # (query, data) in arrival order, to find ids the screens need
        self.pending = set()
        self.screen = "boot"
        self.lang = "?"
        self.user_language = None
        self.unreached = []
        self.checks = []  # what the walk verified on the screens, with its outcome
        self.visible = []  # signs of broken screens (see inspect)
        self.shots_taken = set()
        self.page = None

    # -- recording -------------------------------------------------------------------------
    def on_response(self, response):
        if response.request.method != "POST" or not response.url.split("?")[0].endswith("/api/graphql"):
            if "/api/core/users/current_user" in response.url:
                task = asyncio.ensure_future(self.read_current_user(response))
                self.pending.add(task)
                task.add_done_callback(self.pending.discard)
            return
        task = asyncio.ensure_future(self.record(response, self.screen, self.lang))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def read_current_user(self, response):
        try:
            body = await response.json()
            self.user_language = body.get("i_user", {}).get("language") or self.user_language
        except Exception:
            pass

    async def record(self, response, screen, lang):
        try:
            sent = response.request.post_data_json or {}
        except Exception:
            return
        operations = sent if isinstance(sent, list) else [sent]
        try:
            body = await response.json()
        except Exception:
            body = None
        answers = body if isinstance(body, list) else [body] * len(operations)
        for operation, answer in zip(operations, answers):
            query = operation.get("query") or ""
            variables = operation.get("variables") or {}
            answer = answer if isinstance(answer, dict) else {}
            errors = answer.get("errors") or []
            if isinstance(answer.get("data"), dict):
                self.responses.append((query, answer["data"]))
            declared = DECLARED_NAME_RE.match(query)
            self.records.append({
                "screen": screen,
                "lang": lang,
                "operationName": operation.get("operationName") or (declared.group(1) if declared else None),
                "query": query,
                "variables": variables,
                "status": response.status,
                "errors": [{"message": e.get("message"), "path": e.get("path"), "code": (e.get("extensions") or {}).get("code")} for e in errors if isinstance(e, dict)],
            })

    async def drain(self):
        if self.pending:
            await asyncio.gather(*list(self.pending), return_exceptions=True)

    # -- finding data the screens need --------------------------------------------------------
    def nodes(self, field):
        """Nodes (or list items) under a root field, newest response first."""
        found = []
        for _, data in reversed(self.responses):
            value = data.get(field)
            if isinstance(value, dict) and isinstance(value.get("edges"), list):
                found += [e.get("node") for e in value["edges"] if isinstance(e, dict) and e.get("node")]
            elif isinstance(value, list):
                found += [v for v in value if isinstance(v, dict)]
        return found

    def objects(self, predicate):
        """Every object in the responses (newest first) for which predicate holds."""
        out = []

        def walk(value):
            if isinstance(value, dict):
                if predicate(value):
                    out.append(value)
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        for _, data in reversed(self.responses):
            walk(data)
        return out

    def global_ids(self):
        """uuid -> "<GraphQL type>:<integer pk>" for every object answered with both, so that a
        replay on another database can find the same row by its global id."""
        known = {}
        for obj in self.objects(lambda o: isinstance(o.get("uuid"), str) and isinstance(o.get("id"), str)):
            try:
                decoded = base64.b64decode(obj["id"], validate=True).decode()
            except Exception:
                continue
            type_name, _, pk = decoded.partition(":")
            if type_name and pk.isdigit():
                known.setdefault(obj["uuid"].lower(), f"{type_name}:{pk}")
        return known

    # -- page helpers ---------------------------------------------------------------------
    async def settle(self, ms=800):
        try:
            await self.page.wait_for_load_state("networkidle", timeout=15000)
        except Exception:
            pass
        await self.page.wait_for_timeout(ms)

    async def goto(self, path):
        await self.page.goto(f"{self.base}/front/{path}", wait_until="domcontentloaded")
        await self.settle(1200)

    async def shot(self, name=None):
        """A screenshot (with --screenshots) and a look at what the page shows."""
        name = name or self.screen
        self.shots_taken.add(name)
        await self.inspect(name)
        if not self.args.screenshots:
            return
        folder = pathlib.Path(self.args.screenshots)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            await self.page.screenshot(path=str(folder / f"{self.lang}-{name}.png"), full_page=True)
        except Exception as e:
            print(f"  screenshot {name} failed: {e}", file=sys.stderr)

    async def inspect(self, name):
        """Notes the signs of a broken screen: untranslated labels, dollar amounts, a spinner
        still turning, a page without content below the top bar."""
        try:
            text = await self.page.locator("body").inner_text(timeout=3000)
            spinning = await self.page.locator(".MuiCircularProgress-root:visible, .MuiLinearProgress-root:visible").count()
            content = await self.page.evaluate(
                "() => Array.from(document.querySelectorAll('main, [class*=\"content\"]'))"
                ".map(e => e.innerText.trim().length).reduce((a, b) => Math.max(a, b), 0)"
            )
        except Exception:
            return
        signs = []
        if NO_TRANSLATION in text:
            lines = sorted({line.strip() for line in text.splitlines() if NO_TRANSLATION in line})
            signs.append(f"{text.count(NO_TRANSLATION)} x {NO_TRANSLATION} (e.g. {', '.join(lines[:3])})")
        dollars = DOLLAR_AMOUNT_RE.findall(text)
        if dollars:
            signs.append(f"{len(dollars)} dollar amount(s)")
        if spinning:
            signs.append("a progress indicator still shows")
        if content < 20:
            signs.append("blank page")
        if signs:
            self.visible.append(f"[{self.lang}] {name}: {'; '.join(signs)}")

    def field(self, key):
        """The input of the form control labelled `key` (labels are not tied to inputs by id)."""
        label = self.page.locator("label", has_text=label_pattern(key))
        control = self.page.locator(".MuiFormControl-root", has=label)
        return control.locator(
            "input:not([type=hidden]):not([aria-hidden=true]), textarea:not([aria-hidden=true])"
        ).first

    async def fill(self, key, value):
        box = self.field(key)
        await box.click()
        await box.fill(value)

    async def pick(self, key, typed=None, index=0):
        """Chooses an option of an autocomplete picker; the option's text."""
        box = self.field(key)
        await box.click()
        if typed:
            await box.fill(typed)
        options = self.page.locator("[role=option]")
        try:
            await options.first.wait_for(timeout=8000)
        except Exception:
            await self.page.keyboard.press("Escape")
            raise StepFailed(f"picker {key} offers no option")
        option = options.nth(min(index, await options.count() - 1))
        text = await option.inner_text()
        await option.click()
        await self.settle(300)
        return text

    async def select(self, key, index=0):
        """Chooses an option of a select box (MUI Select) next to the label."""
        control = self.page.locator(".MuiFormControl-root", has=self.page.locator("label", has_text=label_pattern(key))).first
        await control.locator("[role=button]").first.click()
        options = self.page.locator("[role=listbox] [role=option]")
        await options.first.wait_for(timeout=5000)
        # The first option is often the empty choice.
        count = await options.count()
        target = options.nth(min(index + (1 if count > 1 else 0), count - 1))
        text = await target.inner_text()
        await target.click()
        await self.settle(300)
        return text

    async def check_picker(self, key, what):
        """Opens a picker (autocomplete or select), notes how many options it offers, closes it."""
        control = self.page.locator(".MuiFormControl-root", has=self.page.locator("label", has_text=label_pattern(key))).first
        select = control.locator("[role=button]")
        await (select.first if await select.count() else self.field(key)).click()
        options = self.page.locator("[role=option]")
        try:
            await options.first.wait_for(timeout=8000)
            offered = await options.count()
            texts = [t.strip() for t in await options.all_inner_texts()][:3]
        except Exception:
            offered, texts = 0, []
        await self.page.keyboard.press("Escape")
        await self.settle(300)
        outcome = f"{offered} option(s), e.g. {', '.join(texts)}" if offered else "FAILED: no option"
        self.checks.append(f"[{self.lang}] {what}: {outcome}")

    async def pick_date(self, key, year=None, day=None):
        """Opens a date picker, optionally moves to a year and picks a day of the month shown,
        and accepts."""
        await self.field(key).click()
        dialog = self.page.locator("[role=dialog]").last
        await dialog.wait_for(timeout=5000)
        if year:
            await dialog.locator(".MuiPickersToolbar-toolbar .MuiPickersToolbarText-toolbarTxt").first.click()
            await dialog.locator(".MuiPickersYear-root", has_text=str(year)).first.click()
        if day:
            days = dialog.locator(".MuiPickersDay-day:not(.MuiPickersDay-hidden)")
            await days.filter(has_text=re.compile(f"^{day}$")).first.click()
        await dialog.locator("button", has_text=re.compile(r"^OK$", re.I)).click()
        await self.settle(300)

    async def click_button(self, key):
        """Clicks the visible, enabled button whose text matches; whether there was one."""
        candidates = self.page.locator("button").filter(has_text=re.compile(BUTTONS[key], re.I))
        for i in range(await candidates.count()):
            button = candidates.nth(i)
            if await button.is_visible() and await button.is_enabled():
                await button.click()
                await self.settle()
                return True
        return False

    async def save(self):
        fabs = self.page.locator("button.MuiFab-root:visible")
        count = await fabs.count()
        for i in range(count - 1, -1, -1):
            if await fabs.nth(i).is_enabled():
                await fabs.nth(i).click()
                await self.settle(1500)
                # Some saves ask to confirm, in one or two steps; the first button goes ahead.
                for _ in range(3):
                    confirm = self.page.locator("[role=dialog] button").first
                    if not (await confirm.count() and await confirm.is_visible()):
                        break
                    await confirm.click()
                    await self.settle(1500)
                # The journal polls mutationLogs until the mutation is done.
                await self.page.wait_for_timeout(3000)
                await self.settle()
                return
        raise StepFailed("no enabled save button")

    async def open_first_row(self, having=None, lacking=None, table=None):
        """Opens the first result of a searcher the way a user does (double click); `having` /
        `lacking`: a text the row must show / must not show; `table`: the table to look in."""
        rows = (table or self.page).locator("table tbody tr")
        try:
            await rows.first.wait_for(timeout=8000)
        except Exception:
            raise StepFailed("the list shows no row")
        if having:
            rows = rows.filter(has_text=having)
        if lacking:
            rows = rows.filter(has_not_text=lacking)
        if not await rows.count():
            raise StepFailed(f"no row with {having or ''} without {lacking or ''}")
        before = self.page.url
        # The first cell: other cells may hold pickers that take the click.
        await rows.first.locator("td").first.dblclick()
        await self.settle(1500)
        if self.page.url == before:
            raise StepFailed("double click on the first row opened nothing")

    # -- language -----------------------------------------------------------------------
    async def switch_language(self, lang):
        """Chooses the language in the top bar's menu and confirms; the button then names it
        (the app reloads the user, whose language the server now keeps)."""
        await self.goto("home")
        shown = self.page.get_by_role("button", name=re.compile(r"^(English|Français)$", re.I))
        wanted = self.page.get_by_role("button", name=re.compile(f"^{LANGUAGE_NAMES[lang]}$", re.I))
        await shown.wait_for(timeout=15000)
        for _ in range(2):
            if await wanted.count():
                break
            await shown.click()
            await self.page.locator("[role=menuitem]", has_text=re.compile(f"^{LANGUAGE_NAMES[lang]}$", re.I)).click()
            await self.page.locator("[role=dialog] button").last.click()
            try:
                await wanted.wait_for(timeout=20000)
            except Exception:
                await self.goto("home")
        await self.settle(1500)
        await self.drain()
        if self.user_language != lang:
            await self.goto("home")  # the user as the server now answers it
            await self.drain()
        if not await wanted.count() or self.user_language != lang:
            raise StepFailed(f"the language is still {self.user_language}")

    # -- screens ----------------------------------------------------------------------------
    async def login(self):
        await self.page.goto(f"{self.base}/front/", wait_until="domcontentloaded")
        await self.settle(1500)
        if not await self.page.locator("input[type=password]").count():
            return
        inputs = self.page.locator("input")
        await inputs.nth(0).fill(self.args.user)
        await self.page.locator("input[type=password]").fill(self.args.password)
        await self.page.locator("button[type=submit]").click()
        await self.page.wait_for_url(re.compile(r"/front/(home)?$"), timeout=15000)
        await self.settle(1500)

    async def home(self):
        await self.goto("home")

    async def insuree_search(self):
        await self.goto("insuree/insurees")
        await self.fill("lastName", "Kameni")
        await self.page.keyboard.press("Enter")
        await self.settle()

    async def insuree(self):
        """An insuree's page (its family, and the enrolment-officer picker)."""
        await self.goto("insuree/insurees")
        try:
            await self.open_first_row()
        except StepFailed:
            insurees = [n for n in self.nodes("insurees") if n.get("uuid")]
            if not insurees:
                raise
            await self.goto(f"insuree/insurees/insuree/{insurees[0]['uuid']}")
        await self.check_picker("photoOfficer", "enrolment-officer picker of an insuree's page")

    async def families(self):
        await self.goto("insuree/families")

    async def family_uuid(self):
        families = [n["uuid"] for n in self.nodes("families") if n.get("uuid")]
        families += [n["family"]["uuid"] for n in self.nodes("insurees") if (n.get("family") or {}).get("uuid")]
        if not families:
            await self.goto("insuree/insurees")
            families = [n["family"]["uuid"] for n in self.nodes("insurees") if (n.get("family") or {}).get("uuid")]
        if not families:
            raise StepFailed("no family uuid seen")
        return families[0]

    async def family_overview(self, own=False):
        """A demo family's overview, or (own) that of the family family_new created in this
        language, whose head is "Capture, Famille <lang>"."""
        await self.goto("insuree/families")
        try:
            if own:
                await self.open_first_row(having=self.own_family_name())
            else:
                await self.open_first_row(lacking="Capture")
        except StepFailed as e:
            print(f"  families list: {e}; opening a family by its uuid", file=sys.stderr)
            await self.goto(f"insuree/families/familyOverview/{await self.family_uuid()}")

    def own_family_name(self):
        return f"Famille {self.lang}"

    def overview_family_uuid(self):
        match = re.search(r"familyOverview/(" + UUID_RE.pattern + ")", self.page.url)
        return match.group(1) if match else None

    async def family_new(self):
        await self.goto("insuree/family")
        await self.pick("region")
        await self.pick("district")
        await self.pick("municipality")
        await self.pick("village")
        await self.check_picker("photoOfficer", "enrolment-officer picker of the new family's head")
        await self.fill("chfId", chf_id())
        await self.fill("lastName", "Capture")
        await self.fill("otherNames", self.own_family_name())
        await self.pick_date("dob", year=1985)
        await self.select("gender")
        await self.shot("family-new-filled")
        await self.save()
        await self.shot("family-new-saved")

    async def member_new(self):
        await self.family_overview(own=True)
        family = self.overview_family_uuid()
        if not await self.click_button("addMember"):
            if not family:
                raise StepFailed("no family overview to add a member to")
            await self.goto(f"insuree/insurees/insuree/_NEW_/{family}")
        await self.fill("chfId", chf_id())
        await self.fill("lastName", "Capture")
        await self.fill("otherNames", f"Membre {self.lang}")
        await self.check_picker("photoOfficer", "enrolment-officer picker of a new member")
        await self.pick_date("dob", year=2010)
        await self.select("gender")
        try:
            await self.select("relationship")
        except Exception:
            pass
        await self.shot("member-new-filled")
        await self.save()
        await self.shot("member-new-saved")

    async def family_edit(self):
        await self.family_overview(own=True)
        await self.fill("address", f"Rue de la capture ({self.lang})")
        await self.save()

    async def read(self, key):
        return (await self.field(key).input_value(timeout=5000)).strip()

    async def shown_policy(self):
        """The enrolment date, start and expiry dates (ISO) and value the policy form shows."""
        shown = {}
        for key in ("enrollDate", "startDate", "expiryDate"):
            text = await self.read(key)
            match = re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", text)
            shown[key] = f"{match.group(3)}-{match.group(2)}-{match.group(1)}" if match else text
        shown["value"] = amount(await self.read("value"))
        return shown

    def stored_policy(self, uuid):
        """The policy as the server last answered it (`policies(uuid: …)`), in the same shape."""
        for node in self.nodes("policies"):
            if str(node.get("uuid", "")).lower() == uuid.lower():
                return {
                    "enrollDate": str(node.get("enrollDate") or "")[:10],
                    "startDate": str(node.get("startDate") or "")[:10],
                    "expiryDate": str(node.get("expiryDate") or "")[:10],
                    "value": amount(str(node.get("value") or "")),
                }
        return None

    async def check_policy_shown(self, what, uuid):
        """Checks that the policy form shows the dates and value the server stores."""
        await self.page.wait_for_timeout(1500)  # the form may still take policyValues' answer
        await self.drain()
        shown = await self.shown_policy()
        stored = self.stored_policy(uuid)
        if stored is None:
            outcome = "FAILED: the server's answer for it was not seen"
        elif shown == stored:
            outcome = "ok, as stored"
        else:
            outcome = f"FAILED: the server stores {describe_policy(stored)}"
        self.checks.append(f"[{self.lang}] {what} shows {describe_policy(shown)}: {outcome}")
        print(f"  {self.checks[-1]}", file=sys.stderr)

    def policy_url_uuid(self):
        match = re.search(r"/policy/policy/(" + UUID_RE.pattern + ")", self.page.url)
        return match.group(1) if match else None

    async def policy_new(self):
        """Enrols the family family_new created: product, officer and enrolment date (the 1st of
        the month: not in the future), save, then opens the saved policy again from the family
        overview and checks that it shows the dates and value the server stored."""
        await self.family_overview(own=True)
        family = self.overview_family_uuid()
        if not await self.click_button("addPolicy"):
            if not family:
                raise StepFailed("no family to enrol")
            await self.goto(f"policy/policy/_NEW_/{family}")
        await self.pick_date("enrollDate", day=1)
        product = await self.pick("product")
        await self.pick("officer")
        await self.settle()
        proposed = await self.shown_policy()
        self.checks.append(f"[{self.lang}] new policy form proposes {describe_policy(proposed)} (policyValues)")
        await self.shot("policy-new-filled")
        await self.save()
        await self.shot("policy-new-saved")
        self.screen = "policy-reopen"
        await self.family_overview(own=True)
        product_code = product.split()[0]
        try:
            await self.open_first_row(having=product_code)
        except StepFailed as e:
            print(f"  family's policies: {e}; opening the policy by its uuid", file=sys.stderr)
            policies = self.objects(lambda o: isinstance(o.get("policyUuid"), str) and o.get("productCode") == product_code)
            if not policies:
                raise StepFailed("the saved policy is not in the family's policies")
            await self.goto(f"policy/policy/{policies[0]['policyUuid']}/{family}")
        uuid = self.policy_url_uuid()
        if not uuid:
            raise StepFailed(f"the saved policy did not open ({self.page.url})")
        await self.check_policy_shown("the saved policy, opened again,", uuid)
        await self.shot("policy-reopen")

    async def policy_open(self):
        """An existing policy, and a renewal (stage R) one when the demo has one: each must show
        its own stored figures (the front end asks policyValues again and overwrites the form)."""
        await self.goto("policy/policies")
        policies = self.objects(lambda o: isinstance(o.get("uuid"), str) and "stage" in o and isinstance(o.get("family"), dict))
        if not policies:
            raise StepFailed("no policy seen in the policies list")
        # The demo's own policies, not those the walk created.
        policies = [p for p in policies if ((p["family"].get("headInsuree") or {}).get("lastName")) != "Capture"]
        renewals = [p for p in policies if p.get("stage") == "R"]
        # A policy with a value first (a free product's shows nothing to compare).
        others = sorted((p for p in policies if p.get("stage") != "R"), key=lambda p: amount(str(p.get("value") or "0")) == "0.00")
        for name, chosen in (("policy-open", others[:1]), ("policy-open-renewal", renewals[:1])):
            if not chosen:
                self.unreached.append(f"[{self.lang}] {name}: the policies list shows none")
                continue
            policy = chosen[0]
            await self.goto(f"policy/policy/{policy['uuid']}/{policy['family'].get('uuid', '')}")
            await self.check_policy_shown(f"{'renewal' if name.endswith('renewal') else 'new'} policy {policy['uuid']}", policy["uuid"])
            await self.shot(name)

    async def contribution(self):
        """Records a contribution on the policy with the largest unpaid balance."""
        await self.goto("policy/policies")

        def unpaid(policy):
            try:
                return float(policy.get("value") or 0) - float(policy.get("sumPremiums") or 0)
            except ValueError:
                return 0.0

        policies = self.objects(lambda o: isinstance(o.get("uuid"), str) and "stage" in o and isinstance(o.get("family"), dict))
        policies = sorted((p for p in policies if unpaid(p) >= 1), key=unpaid, reverse=True)
        if not policies:
            raise StepFailed("no policy with an unpaid balance seen")
        policy = policies[0]
        # The family overview's "new contribution" button opens this route for the selected policy.
        await self.goto(f"insuree/families/familyOverview/{policy['family']['uuid']}")
        await self.goto(f"contribution/new/{policy['uuid']}")
        # A product paid in a set number of instalments fixes the amount itself.
        if await self.field("amount").is_enabled():
            await self.fill("amount", str(int(min(unpaid(policy), 1000))))
        await self.fill("receipt", f"CAP-{random.randint(10000, 99999)}")
        await self.pick_date("payDate")
        for key in ("paymentType", "category"):
            try:
                await self.select(key)
            except Exception:
                pass
        await self.shot("contribution-filled")
        await self.save()
        await self.shot("contribution-saved")

    async def list_and_detail(self, path):
        await self.goto(path)
        await self.shot()
        await self.open_first_row()
        await self.settle(1500)
        await self.shot(f"{self.screen}-detail")

    async def contributions(self):
        await self.list_and_detail("contribution/contributions")

    async def policies(self):
        await self.list_and_detail("policy/policies")

    async def products(self):
        await self.list_and_detail("admin/products")

    async def facilities(self):
        await self.list_and_detail("location/healthFacilities")

    async def locations(self):
        await self.goto("location/locations")

    async def items(self):
        await self.list_and_detail("medical/medicalItems")

    async def services(self):
        await self.list_and_detail("medical/medicalServices")

    async def pricelists_services(self):
        await self.list_and_detail("medical/pricelists/services")

    async def pricelists_items(self):
        await self.list_and_detail("medical/pricelists/items")

    async def roles(self):
        await self.list_and_detail("roles")

    async def users(self):
        await self.list_and_detail("admin/users")

    async def payers(self):
        await self.list_and_detail("payer/payers")

    async def claims(self):
        # The facility's claims (the searcher's default: Entered), then the first claim.
        await self.list_and_detail("claim/healthFacilities")

    async def claim_new(self):
        await self.goto("claim/healthFacilities/claim")
        await self.settle(1500)
        await self.shot()

    async def reviews(self):
        # Review and feedback selection (default: Checked claims), then the first claim's review.
        await self.list_and_detail("claim/reviews")

    SCREENS = [
        ("home", home),
        ("insuree-search", insuree_search),
        ("insuree", insuree),
        ("families", families),
        ("family-overview", family_overview),
        ("family-new", family_new),
        ("member-new", member_new),
        ("family-edit", family_edit),
        ("policy-new", policy_new),
        ("policy-open", policy_open),
        ("contribution", contribution),
        ("contributions", contributions),
        ("policies", policies),
        ("products", products),
        ("facilities", facilities),
        ("locations", locations),
        ("items", items),
        ("services", services),
        ("pricelists-services", pricelists_services),
        ("pricelists-items", pricelists_items),
        ("roles", roles),
        ("users", users),
        ("payers", payers),
        ("claims", claims),
        ("claim-new", claim_new),
        ("reviews", reviews),
    ]

    # Steps that fill, save and open again take longer than the others.
    TIMEOUTS = {"policy-new": 180, "policy-open": 120}

    async def step(self, screen, action):
        self.screen = screen
        self.shots_taken = set()
        print(f"[{self.lang}] {screen}", file=sys.stderr)
        try:
            await asyncio.wait_for(action(), self.TIMEOUTS.get(screen, 90))
            failed = False
        except Exception as e:
            failed = True
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            if self.args.verbose:
                traceback.print_exc()
            self.unreached.append(f"[{self.lang}] {screen}: {reason}")
            print(f"  could not complete: {reason}", file=sys.stderr)
        await self.drain()
        if failed:
            await self.shot(f"{screen}-unfinished")
        elif not self.shots_taken:
            await self.shot(screen)

    async def run(self):
        only = set(self.args.only.split(",")) if self.args.only else None
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=self.args.chromium, headless=True)
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(10000)
            self.page = await context.new_page()
            self.page.on("response", self.on_response)
            self.lang = "boot"  # before the language is chosen
            await self.step("login", self.login)
            for lang in self.args.langs.split(","):
                self.lang = lang
                await self.step("language", lambda: self.switch_language(lang))
                for screen, action in self.SCREENS:
                    if only is None or screen in only:
                        await self.step(screen, lambda: action(self))
            await self.drain()
            await browser.close()

    # -- output -------------------------------------------------------------------------
    def write(self):
        out = pathlib.Path(self.args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.json"):
            old.unlink()
        kept = {}
        per_screen = {}
        for record in self.records:
            key = normalise(record["query"])
            if key in kept:
                first = kept[key]
                first["seen"] += 1
                # A failure seen later is still a failure of the document.
                if not first["errors"] and record["errors"]:
                    first["errors"], first["status"] = record["errors"], record["status"]
                continue
            query, variables = hide_passwords(record["query"], record["variables"])
            per_screen[record["screen"]] = per_screen.get(record["screen"], 0) + 1
            name = f"{record['screen']}-{per_screen[record['screen']]}.json"
            kept[key] = dict(record, query=query, variables=variables, file=name, sequence=len(kept) + 1, seen=1)
        known = self.global_ids()
        for doc in kept.values():
            sent = doc["query"] + json.dumps(doc["variables"])
            doc["uuids"] = {u: known[u] for u in sorted(set(UUID_RE.findall(sent))) if u in known}
            body = {k: doc[k] for k in ("sequence", "screen", "lang", "operationName", "status", "errors", "uuids", "variables", "query")}
            (out / doc["file"]).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return list(kept.values())

    def report(self, documents):
        failing = [d for d in documents if d["status"] != 200 or d["errors"]]
        print(f"{len(self.records)} requests, {len(documents)} distinct documents written to {self.args.out_dir}, {len(failing)} failing")
        groups = {}
        for doc in failing:
            messages = [e["message"] or "" for e in doc["errors"]] or [f"HTTP {doc['status']}"]
            for message in sorted(set(messages)):
                code = next((e["code"] for e in doc["errors"] if e["message"] == message and e["code"]), None)
                label = f"[{code}] {message}" if code else message
                groups.setdefault(label, []).append(doc)
        for label, docs in sorted(groups.items(), key=lambda g: -len(g[1])):
            print(f"\n{label}")
            for doc in docs:
                root = re.search(r"[{(]\s*([A-Za-z_]+)\s*[({]", doc["query"])
                print(f"  {doc['file']} (HTTP {doc['status']}, {doc['lang']}, {root.group(1) if root else '?'})")
        refused = {}
        for log in self.nodes("mutationLogs"):
            if log.get("status") == 1 and log.get("clientMutationId"):
                refused[log["clientMutationId"]] = f"{log.get('clientMutationLabel')}: {log.get('error')}"
        if refused:
            print("\nMutations the server accepted but then refused (mutationLogs status 1):")
            for line in refused.values():
                print(f"  {line}")
        if self.checks:
            print("\nChecked on the screens:")
            for line in self.checks:
                print(f"  {line}")
        if self.visible:
            print("\nSigns of breakage on the screens:")
            for line in self.visible:
                print(f"  {line}")
        if self.unreached:
            print("\nNot completed:")
            for line in self.unreached:
                print(f"  {line}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("out_dir")
    parser.add_argument("--screenshots", help="folder for a screenshot of each screen")
    parser.add_argument("--langs", default="en,fr")
    parser.add_argument("--only", help="comma-separated screen names (default: all)")
    parser.add_argument("--user", default="Admin")
    parser.add_argument("--password", default="admin123")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    capture = Capture(args)
    asyncio.run(capture.run())
    capture.report(capture.write())


if __name__ == "__main__":
    main()
