"""A deterministic synthetic data set of England's size, for the benchmark.

42 commissioners (ICBs), each with 2 or 3 sub-ICB locations (106 in all, as in England), 6,500 practices (each
under a sub-ICB location) with 4 CQC inspections each, a user per role per ICB and per practice and a lead per
sub-ICB location, an RCGP adviser pool, 3,000 contracts (since April 2014, most ended, the last 18 months' live)
each with a diagnostic report and a 40-action forward plan (120,000 actions, 360,000 milestones, about 10 RAG
changes per action: 1.2 million RagChange rows), progress entries, consent decisions, workflow transitions and
self-referrals. Every model that keeps history (django-simple-history) gets its history rows as the services
would have written them: a "+" row when created and a "~" row for each later save (each RAG change, each
workflow move, each ticked milestone).

``history`` (default 1) multiplies the records that pile up with the years (contracts and everything hanging off
them: reports, plans, actions, milestones, RAG changes, progress, transitions, teams, payments, consent; and
self-referrals), not England: commissioners, practices, PCNs, inspections and people stay at ``scale``. The
records are spread over the same years (contracts since April 2014, referrals since April 2019), but the last 18
months (``RECENT_DAYS``) keep exactly the records they have at history 1 and all the extra ones go in the years
before, where every contract has ended (``_state_for``). So the live contracts, the referral queue and what a
commissioner's home page lists stay as they are, and history 4 is "the same England with four times the years of
ended cases behind it": what grows is the ended contracts and their history rows, which is what years of use add.
(Not more RAG changes per action: an action's history is as long as its plan's life, whatever the years.)

Rows go in with PostgreSQL COPY (psycopg 3), tables written in dependency order, primary keys given here and
the sequences moved past them at the end, then VACUUM ANALYZE so the planner knows the tables' sizes.

Deterministic: the same ``seed``, ``today``, ``scale`` and ``history`` give the same rows. Dates are laid out
relative to ``today`` (default: the real today) so that there is always something overdue, due soon and live.
Only for an empty database (``make bench`` makes a new one): the command refuses to run over existing practices.
"""

import datetime
import random
import time
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from psycopg.types.json import Jsonb

from core.regions import Region

UTC = datetime.UTC
# Contracts commissioned in the last 18 months may still be live (_state_for); older ones have all ended. The
# history factor leaves the records of these days as they are and adds its records to the years before them.
RECENT_DAYS = 540
HISTORY_COLUMNS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")

ENGLAND = {
    "commissioners": 42, "sub_icbs": 106, "practices": 6500, "inspections_per_practice": 4, "contracts": 3000,
    "actions_per_plan": 40, "milestones_per_action": 3, "rag_changes_per_action": 10,
    "deputy_leads": 40, "advisers": 200, "referrals": 1200,
}

# Words for names and text (synthetic: no real practice, person or place is described).
PLACES_A = ["Ash", "Beech", "Brook", "Castle", "Church", "Clay", "Elm", "Fair", "Field", "Green", "Hazel", "High",
            "Holly", "King", "Lark", "Lime", "Mill", "Moor", "North", "Oak", "Park", "Pine", "Queen", "Red", "Rose",
            "South", "Stone", "Thorn", "Vale", "West", "Willow", "Wood", "Bridge", "Cedar", "Heath", "Marsh"]
PLACES_B = ["bank", "bury", "combe", "croft", "dale", "den", "field", "ford", "gate", "ham", "hill", "hurst",
            "lands", "lea", "mead", "mere", "mount", "side", "stead", "thorpe", "ton", "view", "wick", "worth"]
PRACTICE_KINDS = ["Medical Practice", "Surgery", "Health Centre", "Medical Centre", "Family Practice",
                  "Group Practice", "Primary Care Centre", "Partnership"]
FIRST_NAMES = ["Aisha", "Alex", "Amir", "Anna", "Ben", "Carys", "Chen", "Chloe", "Daniel", "Deepa", "Emma", "Farah",
               "George", "Grace", "Hannah", "Imran", "Jack", "Jo", "Kate", "Kwame", "Laura", "Leah", "Li", "Maria",
               "Mark", "Nadia", "Noah", "Olu", "Priya", "Rachel", "Ravi", "Sam", "Sarah", "Tom", "Yusuf", "Zara"]
LAST_NAMES = ["Ahmed", "Brown", "Campbell", "Davies", "Edwards", "Evans", "Green", "Hall", "Hughes", "Jones",
              "Khan", "Lewis", "Martin", "Morgan", "Okafor", "Patel", "Price", "Roberts", "Shah", "Singh", "Smith",
              "Taylor", "Thomas", "Walker", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang"]
NHS_REGIONS = Region.values  # ICBs take them in turn, and their practices with them
REGIONS = ["North East and Yorkshire", "North West", "Midlands", "East of England", "London", "South East",
           "South West"]
SENTENCES = [
    "The partners meet weekly but decisions are not recorded or followed up.",
    "Clinical leadership rests with one partner who is also the safeguarding lead and the prescribing lead.",
    "The practice manager joined eight months ago and has not been given authority over rotas.",
    "Staff described a supportive team but unclear lines of accountability.",
    "Recall systems for patients on high-risk medicines are incomplete.",
    "The list has grown by a fifth in three years after a neighbouring practice closed.",
    "Appointments are released at eight each morning and are gone within the hour.",
    "Significant events are discussed, but learning is not shared with the whole team.",
    "Policies exist but several are out of date and not reviewed since the last inspection.",
    "Patients praised the care of the nursing team and the continuity offered by two long-standing GPs.",
    "Telephone access is the most frequent complaint in the patient survey.",
    "Cover for clinical sessions relies on locums booked a week at a time.",
    "Training records are kept on paper and are not complete for every member of staff.",
    "The practice has a strong relationship with its primary care network and uses shared roles well.",
    "Infection prevention audits were completed but actions were not closed.",
    "The governance framework does not give the partners assurance about risks.",
    "Staff morale has improved since weekly huddles began.",
    "Coding of long-term conditions is inconsistent between clinicians.",
    "Safeguarding registers are up to date and reviewed monthly with the health visitor.",
    "Two partners plan to retire within eighteen months and succession is not planned.",
]
PROBLEMS = ["No recall for patients on high-risk medicines", "Significant events not analysed or shared",
            "Out-of-date policies and procedures", "Incomplete staff training records",
            "No clinical oversight of test results", "Poor telephone access", "Infection control actions not closed",
            "Safeguarding training not at the right level", "Uncoded long-term conditions",
            "No business continuity plan", "Complaints not responded to in time", "Prescription security gaps"]
ISSUES = ["No clinical lead for the area", "Practice manager not allowed to manage", "Single-handed GP overloaded",
          "No system to track actions", "Rapid list growth", "Partners disagree on priorities",
          "Inexperienced partnership", "Resistance to change"]
ACTIONS = ["Set up a monthly search and recall with a named clinician", "Hold a monthly significant event meeting "
           "and share learning in the newsletter", "Review every policy on a rolling schedule with named owners",
           "Move training records to an online matrix reviewed quarterly", "Introduce a daily duty doctor for "
           "results", "Add a call-back queue and a second line at peak times", "Close the infection control "
           "actions and re-audit", "Book level 3 safeguarding training for every clinician",
           "Run a coding clean-up with the PCN pharmacist", "Write and test a business continuity plan"]
REGULATIONS = ["Regulation 12 Safe care and treatment", "Regulation 17 Good governance", "Regulation 18 Staffing",
               "Regulation 13 Safeguarding", "Regulation 16 Receiving and acting on complaints", ""]
REASONS = ["Work started this month", "On track after the team meeting", "Completed and evidence filed",
           "Delayed by staff absence", "Lead changed; restarting", "Reviewed at the partners' meeting",
           "Audit shows the change is embedded", "New issue found on re-audit"]
PROGRESS = ["Discussed at the partners' meeting; lead agreed.", "First audit done, results shared with the team.",
            "Training booked for all clinical staff.", "Template built and tested on ten patients.",
            "Policy drafted, out for comment.", "Searches run weekly; backlog down by half."]
KEY_QUESTIONS = ["safe", "effective", "caring", "responsive", "well_led", "other"]
KQ_WEIGHTS = [30, 20, 8, 15, 25, 2]
PROGRAMMES = ["special_measures", "diagnostic_forward_plan", "resilience", "whole_team_away_day",
              "partners_away_day", "cqc_preparation", "ongoing_support"]
PROGRAMME_WEIGHTS = [35, 25, 20, 5, 4, 6, 5]
CATEGORIES = ["rapid_intervention", "diagnostic", "specialist_advice", "coaching", "practice_management",
              "workforce", "change_management", "personal_resilience"]
MAIN_PATH = ["commissioned", "lead_appointed", "team_recruited", "scoping", "report_drafting",
             "factual_accuracy_review", "consent_decision", "review_meeting", "handed_over", "closed"]
# Days after commissioning at which each main-path state is usually reached.
PATH_DAYS = [0, 5, 12, 25, 50, 80, 110, 140, 180, 400]
SIDE_EXITS = ["declined_by_practice", "withdrawn", "failed_to_engage"]
ROOT_CAUSES = ["dysfunctional_partnership", "inexperienced_partnership", "single_handed", "capability",
               "rapid_list_growth", "resistance_to_change", "no_manager", "manager_not_allowed", "cannot_delegate"]
SECTIONS = ["history_text", "personnel", "day_to_day", "demographics", "staff_opinion", "patient_opinion",
            "findings", "conclusions", "recommendations", "good_practice"]
RATINGS = ["outstanding", "good", "requires_improvement", "inadequate"]


def _at(day, minutes=0):
    """A timestamp on ``day`` (UTC), ``minutes`` past 08:00."""
    return datetime.datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + datetime.timedelta(minutes=minutes)


class Loader:
    """COPY rows into a model's table (or its history table) with the columns named."""

    def __init__(self, cursor, log):
        self.cursor = cursor
        self.log = log
        self.counts = {}

    def copy(self, model, columns, rows):
        table = model._meta.db_table
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        n = 0
        with self.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        self.counts[table] = self.counts.get(table, 0) + n
        return n


def model_columns(model, exclude=()):
    return [f.column for f in model._meta.concrete_fields if f.column not in exclude]


def history_columns(model):
    """The history table's copy of the model's columns (without the history_* ones), in the model's order."""
    historical = model.history.model
    names = {f.column for f in historical._meta.concrete_fields} - set(HISTORY_COLUMNS)
    return [c for c in model_columns(model) if c in names]


class ScaleData:
    def __init__(self, *, seed=2026, today=None, scale=1.0, history=1.0, password=None, log=print):
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311  (synthetic data, not security)
        self.today = today or datetime.date.today()
        self.now = _at(self.today, 60)
        self.scale = scale
        self.history = history
        scaled = {"commissioners", "practices", "contracts", "deputy_leads", "advisers", "referrals"}
        self.size = {k: max(2, round(v * scale)) if k in scaled else v for k, v in ENGLAND.items()}
        self.password = password or "bench-password-2026"  # noqa: S105  (synthetic accounts on a bench database)
        self.log = log
        self.model = {name: apps.get_model(*name.split(".")) for name in [
            "practices.Commissioner", "practices.PCN", "practices.Practice", "practices.Inspection",
            "resilience.User", "resilience.Membership", "contracts.Adviser", "contracts.Referral", "contracts.Contract",
            "contracts.ContractTransition", "contracts.TeamMembership", "contracts.Payment",
            "forwardplans.DiagnosticReport", "forwardplans.ReportVersion", "forwardplans.ForwardPlan",
            "forwardplans.Action", "forwardplans.Milestone",
            "forwardplans.RagChange", "forwardplans.ProgressEntry", "forwardplans.ConsentToShare"]}
        self.history_ids = {}
        self.ids = dict.fromkeys(["action", "action_history", "milestone", "milestone_history", "rag", "progress"], 0)

    # Plumbing ---------------------------------------------------------------------------------------------

    def _next_history_id(self, model):
        self.history_ids[model] = self.history_ids.get(model, 0) + 1
        return self.history_ids[model]

    def _copy_with_history(self, loader, name, objects, history=None):
        """COPY ``objects`` (dicts by column) into the model's table and a "+" history row for each, plus any
        later ``history`` rows (dict, history_date, reason, type, user id)."""
        model = self.model[name]
        columns = model_columns(model)
        loader.copy(model, columns, (tuple(o[c] for c in columns) for o in objects))
        hcols = history_columns(model)

        def rows():
            for o in objects:
                yield (*(o[c] for c in hcols), self._next_history_id(model), o["_created"], o.get("_reason"),
                       "+", o.get("_by"))
            for o, when, reason, kind, by in history or ():
                yield (*(o[c] for c in hcols), self._next_history_id(model), when, reason, kind, by)

        loader.copy(model.history.model, [*hcols, *HISTORY_COLUMNS], rows())

    def _step(self, label, fn, *args):
        started = time.perf_counter()
        result = fn(*args)
        self.log(f"  {label}: {time.perf_counter() - started:.1f}s")
        return result

    def check_empty(self):
        for name in ("practices.Practice", "practices.Commissioner", "contracts.Contract", "resilience.User"):
            if self.model[name].objects.exists():
                return name
        return None

    def run(self):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as wrapper:
            loader = Loader(wrapper.cursor, self.log)
            self._step("organisations and practices", self.organisations, loader)
            self._step("inspections", self.inspections, loader)
            self._step("users and advisers", self.users, loader)
            self._step("referrals", self.referrals, loader)
            self._step("contracts, transitions, teams, consent", self.contracts, loader)
            self._step("diagnostic reports", self.reports, loader)
            self._step("forward plans, actions, milestones, RAG changes, progress", self.plans, loader)
            self._step("sequences", self.reset_sequences)
        self._step("vacuum analyze", self.vacuum)
        self.seconds = time.perf_counter() - started
        return loader.counts

    def reset_sequences(self):
        models = list(self.model.values()) + [m.history.model for m in self.model.values()
                                                     if hasattr(m, "history")]
        models.append(apps.get_model("contracts", "Contract").practices.through)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)

    def vacuum(self):
        """VACUUM ANALYZE the tables written (only ANALYZE inside a transaction, e.g. in a test)."""
        tables = sorted({m._meta.db_table for m in self.model.values()}
                        | {m.history.model._meta.db_table for m in self.model.values() if hasattr(m, "history")})
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")

    def _text(self, sentences, low, high):
        return " ".join(self.rng.choice(SENTENCES) for _ in range(self.rng.randint(low, high))) if sentences else ""

    def _name(self):
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    # Organisations ---------------------------------------------------------------------------------------

    def organisations(self, loader):
        rng, created = self.rng, _at(datetime.date(2014, 4, 1))
        self.commissioners, self.sub_icbs = [], []
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        icbs = self.size["commissioners"]
        # England's 106 sub-ICB locations over 42 ICBs: 2 each and a third for 22 of them, spread evenly (the same
        # share of ICBs at any scale). Codes like England's ("00L", "99C"): digits and a letter, never an ICB's.
        extra = ENGLAND["sub_icbs"] - 2 * ENGLAND["commissioners"]
        for i in range(icbs):
            place = f"{PLACES_A[i % len(PLACES_A)]}{PLACES_B[i % len(PLACES_B)]}"
            icb = {"id": i + 1, "ods_code": f"Q{letters[i // len(letters) % 24]}{letters[i % 24]}",
                   "name": f"NHS {place} Integrated Care Board", "kind": "icb", "parent_id": None,
                   "region": NHS_REGIONS[i % len(NHS_REGIONS)], "_created": created}
            self.commissioners.append(icb)
            thirds = (i + 1) * extra // ENGLAND["commissioners"] - i * extra // ENGLAND["commissioners"]
            for _ in range(2 + thirds):
                k = len(self.sub_icbs)
                code = f"{k // len(letters) % 100:02d}{letters[k % len(letters)]}"
                self.sub_icbs.append({"id": None, "ods_code": code, "name": f"NHS {place} ICB - {code}",
                                      "kind": "sub_icb", "parent_id": icb["id"], "region": icb["region"],
                                      "_created": created})
        for k, sub in enumerate(self.sub_icbs):  # ids after the ICBs', so that a parent comes before its children
            sub["id"] = icbs + k + 1
        self._copy_with_history(loader, "practices.Commissioner", self.commissioners + self.sub_icbs)

        # Each ICB has the share of England's practices it had when practices sat under ICBs (so an ICB-level
        # page lists as many), shared out between its sub-ICB locations.
        n = self.size["practices"]
        per_commissioner = [n // icbs] * icbs
        for i in range(n - sum(per_commissioner)):
            per_commissioner[i] += 1
        per_sub = []
        for icb, count in zip(self.commissioners, per_commissioner, strict=True):
            subs = [s for s in self.sub_icbs if s["parent_id"] == icb["id"]]
            per_sub += [(sub, count // len(subs) + (k < count % len(subs))) for k, sub in enumerate(subs)]
        self.practices, pcns = [], []
        pid = 0
        for c, count in per_sub:
            for j in range(count):
                if j % 5 == 0:
                    pcns.append({"id": len(pcns) + 1, "ods_code": f"U{len(pcns) + 10000:05d}",
                                 "name": f"{rng.choice(PLACES_A)}{rng.choice(PLACES_B)} PCN",
                                 "commissioner_id": c["id"], "_created": created})
                pid += 1
                place = f"{rng.choice(PLACES_A)}{rng.choice(PLACES_B)}"
                single = rng.random() < 0.08
                self.practices.append({
                    "id": pid, "ods_code": f"{'ABCDEFGHJKLMNP'[c['id'] % 14]}{80000 + pid:05d}",
                    "name": f"{place} {rng.choice(PRACTICE_KINDS)}",
                    "address_line_1": f"{rng.randint(1, 240)} {rng.choice(PLACES_A)} Road",
                    "address_line_2": place, "address_line_3": "", "address_line_4": "", "address_line_5": "",
                    "postcode": f"{rng.choice(['LS', 'M', 'B', 'NE', 'OL', 'BS', 'SE', 'N', 'CB', 'PL'])}"
                                f"{rng.randint(1, 30)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXY')}"
                                f"{rng.choice('ABDEFGHJLNPQRSTUWXY')}",
                    "telephone": f"0{rng.randint(1000, 1999)} {rng.randint(100000, 999999)}",
                    "commissioner_id": c["id"], "locality_id": None, "pcn_id": pcns[-1]["id"],
                    "list_size": rng.randint(1500, 3500) if single else rng.randint(3000, 22000),
                    "opened_on": datetime.date(1974, 4, 1) + datetime.timedelta(days=rng.randint(0, 15000)),
                    "closed_on": None, "status": "active", "prescribing_setting": 4,
                    "cqc_location_id": f"1-{100000000 + pid * 7919}", "single_handed": single,
                    "branch_sites": rng.choice([0, 0, 0, 1, 1, 2]), "ods_region": c["region"],
                    "region": c["region"], "_created": created,
                })
        for p in rng.sample(self.practices, max(1, n // 40)):  # a few closed
            p["status"], p["closed_on"] = "closed", self.today - datetime.timedelta(days=rng.randint(30, 3000))
        self._copy_with_history(loader, "practices.PCN", pcns)
        self._copy_with_history(loader, "practices.Practice", self.practices)

    def inspections(self, loader):
        rng = self.rng
        rows, self.current_rating = [], {}
        iid = 0
        kqs = ["safe", "effective", "caring", "responsive", "well_led"]
        pgs = ["pg_older_people", "pg_long_term_conditions", "pg_families_children", "pg_working_age",
               "pg_vulnerable", "pg_mental_health"]
        span = (self.today - datetime.date(2015, 1, 1)).days
        for p in self.practices:
            per = self.size["inspections_per_practice"]
            days = sorted(rng.randint(0, span - 20) for _ in range(per))
            for k, day in enumerate(days):
                iid += 1
                inspected = datetime.date(2015, 1, 1) + datetime.timedelta(days=day)
                published = inspected + datetime.timedelta(days=rng.randint(30, 90))
                if published > self.today or (k == per - 1 and rng.random() < 0.02):
                    published = None  # an inspection whose report is not out yet
                overall = rng.choices(RATINGS, [5, 72, 17, 6])[0]
                row = {"id": iid, "practice_id": p["id"], "cqc_location_id": p["cqc_location_id"],
                       "report_link_id": f"{rng.getrandbits(128):032x}", "inspection_date": inspected,
                       "publication_date": published,
                       "report_url": f"https://www.cqc.org.uk/location/{p['cqc_location_id']}/reports",
                       "overall_rating": overall if published else "",
                       "cell_ratings": Jsonb({}),
                       "breached_regulations": Jsonb(["Regulation 12 Safe care and treatment",
                                                      "Regulation 17 Good governance"]
                                                     if overall in ("requires_improvement", "inadequate") else []),
                       "_created": _at(published or inspected)}
                for field in kqs + pgs:
                    row[field] = (overall if rng.random() < 0.7 else rng.choice(RATINGS)) if published else ""
                if published:
                    self.current_rating[p["id"]] = overall
                rows.append(row)
        self._copy_with_history(loader, "practices.Inspection", rows)

    # People ------------------------------------------------------------------------------------------------

    def users(self, loader):
        rng, joined = self.rng, _at(datetime.date(2014, 4, 1))
        hashed = make_password(self.password)
        users = []

        def add(username, role, commissioner_id=None, practice_id=None, staff=False, region=""):
            first, last = self._name()
            user = {"id": len(users) + 1, "password": hashed, "last_login": None, "is_superuser": False,
                    "username": username, "first_name": first, "last_name": last,
                    "email": f"{username}@example.nhs.uk", "is_staff": staff, "is_active": True,
                    "date_joined": joined, "role": role, "commissioner_id": commissioner_id,
                    "practice_id": practice_id, "region": region, "other_memberships": 0, "manages_people": False,
                    "_created": joined}
            users.append(user)
            return user

        self.rcgp_admins = [add(f"rcgp_admin-{i}", "rcgp_admin") for i in range(1, 4)]
        add("nhse_reporting-1", "nhse_reporting")
        for code in NHS_REGIONS:
            add(f"nhse_regional-{code}", "nhse_regional", region=code)
        # Commissioner staff: a lead and a peer-support user per ICB (an ICB-level user sees its sub-ICB
        # locations' practices too, core/relations.py), and a lead per sub-ICB location, who commissions its
        # practices' support and assesses their referrals (as the practice's own commissioner's lead).
        self.commissioner_users = {}
        for c in self.commissioners:
            self.commissioner_users[c["id"]] = {
                role: add(f"{role}-{c['ods_code']}", role, commissioner_id=c["id"])
                for role in ("commissioner_lead", "commissioner_peer_support")}
        for c in self.sub_icbs:
            self.commissioner_users[c["id"]] = {
                "commissioner_lead": add(f"subicb_commissioner_lead-{c['ods_code']}", "commissioner_lead",
                                         commissioner_id=c["id"])}
        self.practice_users = {}
        for p in self.practices:
            self.practice_users[p["id"]] = {role: add(f"{role}-{p['ods_code']}", role, practice_id=p["id"])
                                            for role in ("practice_lead", "practice_user")}
        deputies = [add(f"rcgp_deputy_lead-{i}", "rcgp_deputy_lead") for i in range(1, self.size["deputy_leads"] + 1)]
        advisers = [add(f"rcgp_adviser-{i}", "rcgp_adviser") for i in range(1, self.size["advisers"] + 1)]
        self._copy_with_history(loader, "resilience.User", users)
        # Each person holds the membership they act in, as the user service makes it.
        self._copy_with_history(loader, "resilience.Membership", [
            {"id": u["id"], "user_id": u["id"], "role": u["role"], "commissioner_id": u["commissioner_id"],
             "practice_id": u["practice_id"], "region": u["region"], "manages_people": False, "created_at": joined,
             "_created": joined}
            for u in users])
        self.deputy_leads = deputies
        professions = ["gp", "practice_manager", "practice_nurse", "clinical_pharmacist"]
        self.advisers = [{"id": i + 1, "user_id": u["id"], "profession": rng.choices(professions, [45, 35, 15, 5])[0],
                          "region": rng.choice(REGIONS), "capacity": rng.choice([3, 3, 4, 5]), "active": True,
                          "unavailable_until": None, "_created": joined}
                         for i, u in enumerate(deputies + advisers)]
        self._copy_with_history(loader, "contracts.Adviser", self.advisers)
        self.field_advisers = self.advisers[len(deputies):]

    def _timeline(self, n, start, span):
        """The days of ``n`` records (at history 1) spread evenly over ``span`` days from ``start``, in order, and
        the index of the first of the last RECENT_DAYS. With history h, round(n * h) records (at least the recent
        ones): those of the last RECENT_DAYS as at history 1 (so what is live stays as it is), and all the rest
        spread evenly over the years before them, where history 1 had its older ones."""
        days = [round(span * i / n) for i in range(n)]
        recent = [d for d in days if (self.today - start).days - d <= RECENT_DAYS]
        before = n - len(recent)  # the older records at history 1
        older = max(0, round(n * self.history) - len(recent))
        # Spread from history 1's first older day to its last (so none strays into the recent days). At history 1
        # (older == before) this is the line above to the day: span * j * (before - 1) / (n * (before - 1)) is the
        # same float as span * j / n (one correctly rounded division of the same fraction).
        days = [round(span * j * (before - 1) / (n * (older - 1))) if older > 1 else 0 for j in range(older)] + recent
        return [start + datetime.timedelta(days=d) for d in days], older

    def _recent(self, label):
        """Reseed the generator where the last RECENT_DAYS' records begin: the older records before them draw a
        number of random values that depends on ``history``, and this way the recent ones (the live contracts,
        the referral queue, their plans) are the same records whatever ``history`` is."""
        self.rng.seed(f"{self.seed}/{label}")

    def referrals(self, loader):
        rng, rows = self.rng, []
        start = datetime.date(2019, 4, 1)
        span = (self.today - start).days
        days, recent_from = self._timeline(self.size["referrals"], start, span)
        for i, received in enumerate(days):
            if i == recent_from:
                self._recent("recent referrals")
            practice = rng.choice(self.practices)
            recent = (self.today - received).days < 30
            status = rng.choice(["submitted", "assessed"]) if recent else rng.choices(
                ["accepted", "declined", "assessed"], [75, 15, 10])[0]
            assessed = status != "submitted"
            lead = self.commissioner_users[practice["commissioner_id"]]["commissioner_lead"]
            first, last = self._name()
            rows.append({
                "id": i + 1, "practice_id": practice["id"], "commissioner_id": practice["commissioner_id"],
                "status": status, "submitted_by_id": self.practice_users[practice["id"]]["practice_lead"]["id"],
                "received_on": received, "contact_name": f"Dr {first} {last}", "contact_role": "GP partner",
                "contact_email": f"{first.lower()}.{last.lower()}@example.nhs.uk", "contact_phone": "",
                "commissioner_supports": rng.choice(["yes", "yes", "no", "dont_know"]),
                "categories": Jsonb(rng.sample(CATEGORIES, rng.randint(1, 3))),
                "past_rcgp_sm_programme": False, "past_rcgp_sm_year": None,
                "past_vulnerable_practice_programme": rng.random() < 0.2, "past_resilience_programme": False,
                "past_resilience_years": "", "issues": self._text(True, 2, 4), "support_needed": self._text(True, 1, 3),
                "statement_of_support": self._text(True, 1, 2) if assessed else "",
                "priority": rng.choice(["high", "medium", "low"]) if assessed else "",
                "criteria": Jsonb(["cqc_requires_improvement", "leadership"] if assessed else []),
                "matrix_scope": rng.randint(1, 5) if assessed else None,
                "matrix_impact": rng.randint(1, 5) if assessed else None,
                "matrix_justification": "Placed after discussion with the practice." if assessed else "",
                "assessed_by_id": lead["id"] if assessed else None,
                "assessed_at": _at(received + datetime.timedelta(days=5)) if assessed else None,
                "acknowledged_on": received + datetime.timedelta(days=rng.randint(2, 16)) if not recent else None,
                "acknowledgement_due": received + datetime.timedelta(days=14),
                "regional_decision": "", "regional_reason": "", "regional_decided_by_id": None,
                "regional_decided_at": None, "version": 1,
                "created_at": _at(received), "_created": _at(received),
            })
        self._copy_with_history(loader, "contracts.Referral", rows)

    # Contracts ---------------------------------------------------------------------------------------------

    def _state_for(self, age):
        """A contract's state and how far along the main path it got (index into MAIN_PATH), by age in days."""
        rng = self.rng
        if age > RECENT_DAYS:
            if rng.random() < 0.18:
                return rng.choice(SIDE_EXITS), rng.randint(0, 5)
            return "closed", len(MAIN_PATH) - 1
        if rng.random() < 0.03:
            return "enquiry", -1
        if age > 30 and rng.random() < 0.08:
            return rng.choice(SIDE_EXITS), rng.randint(0, 3)
        stretch = rng.uniform(0.7, 1.5)
        reached = max(i for i, day in enumerate(PATH_DAYS) if day * stretch <= age)
        return MAIN_PATH[reached], reached

    def contracts(self, loader):
        rng = self.rng
        start = datetime.date(2014, 4, 1)
        span = (self.today - start).days - 3
        contracts, transitions, teams, consents, payments, history = [], [], [], [], [], []
        roots, number = {}, 0
        load = {a["id"]: 0 for a in self.field_advisers}
        days, self.recent_from = self._timeline(self.size["contracts"], start, span)
        for i, commissioned in enumerate(days):
            if i == self.recent_from:
                self._recent("recent contracts")
            parent = None
            # A follow-on of one of the last 50: of the recent ones only, if it is recent, and one draw however many
            # there are, so that the recent contracts are the same whatever the history before them (_recent).
            earlier = contracts[self.recent_from:] if i >= self.recent_from else contracts
            if rng.random() < 0.08 and earlier:
                parent = earlier[-1 - int(rng.random() * min(50, len(earlier)))]
                practice = self.practices[parent["practice_id"] - 1]
                root = parent["_root"]
                roots[root] += 1
                reference = f"{root}{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[roots[root] - 1]}"
            else:
                practice = rng.choice(self.practices)
                number += 1
                root = reference = str(number)
                roots[root] = 0
            age = (self.today - commissioned).days
            state, reached = self._state_for(age)
            stretch = rng.uniform(0.8, 1.3)
            step_days = [commissioned + datetime.timedelta(days=round(d * stretch)) for d in PATH_DAYS]
            step_days = [min(d, self.today) for d in step_days]
            ended = state == "closed" or state in SIDE_EXITS
            ended_on = None
            if state == "closed":
                ended_on = step_days[-1]
            elif state in SIDE_EXITS:
                ended_on = min(self.today, step_days[reached] + datetime.timedelta(days=rng.randint(3, 40)))
            end_reason, rating_after, sm_after, closure = "", "", None, "none"
            if state == "closed":
                end_reason = rng.choices(["carried_forward_for_reinspection", "early_withdrawal", "gp_retired",
                                          "other"], [65, 10, 10, 15])[0]
                if end_reason == "carried_forward_for_reinspection" and age > 700 and rng.random() < 0.9:
                    roll = rng.random()
                    if roll < 0.05:
                        closure = "emergency"
                    elif roll < 0.1:
                        closure = "with_notice"
                    else:
                        rating_after = rng.choices(RATINGS, [3, 55, 30, 12])[0]
                        sm_after = rating_after == "inadequate" or (
                            rating_after == "requires_improvement" and rng.random() < 0.3)
            elif state in SIDE_EXITS:
                end_reason = rng.choice(["early_withdrawal", "other"])
            value = Decimal(rng.choice([2500, 5000, 7500, 10000, 12000, 15000]))
            practice_share = (value * Decimal(rng.choice([0, 0, 25, 50])) / 100).quantize(Decimal("0.01"))
            deputy = rng.choice(self.deputy_leads)["id"] if reached >= 1 else None
            rating_before = self.current_rating.get(practice["id"], "") or rng.choice(RATINGS[1:])
            commissioner_lead = self.commissioner_users[practice["commissioner_id"]]["commissioner_lead"]
            contract = {
                "id": i + 1, "reference": reference, "parent_id": parent["id"] if parent else None,
                "practice_id": practice["id"], "commissioner_id": practice["commissioner_id"], "referral_id": None,
                "programme": rng.choices(PROGRAMMES, PROGRAMME_WEIGHTS)[0],
                "categories": Jsonb(rng.sample(CATEGORIES, rng.randint(1, 3))), "state": state,
                "commissioned_on": commissioned, "commissioned_by_id": commissioner_lead["id"],
                "deputy_lead_id": deputy,
                "first_contact_on": (commissioned + datetime.timedelta(days=rng.randint(1, 10))
                                     if reached >= 1 else None),
                "value": value, "nhse_contribution": value - practice_share, "practice_contribution": practice_share,
                # Payments made (contracts/payment_models.py): one paid invoice each, below.
                "spent": value if ended else (value * Decimal(rng.randint(0, 90)) / 100).quantize(Decimal("0.01")),
                "mou_signed_on": commissioned + datetime.timedelta(days=14) if reached >= 2 else None,
                "mou_starts_on": commissioned + datetime.timedelta(days=14) if reached >= 2 else None,
                "mou_ends_on": commissioned + datetime.timedelta(days=200) if reached >= 2 else None,
                "objectives_operational_stability": "Stable clinical cover and a working rota.",
                "objectives_ways_of_working": "Governance meetings with recorded actions.",
                "objectives_future_sustainability": "A succession plan for the partnership.",
                "ended_on": ended_on, "end_reason": end_reason,
                "exit_reason": "The practice did not take up the support offered." if state in SIDE_EXITS else "",
                "rating_before": rating_before, "in_special_measures_before": rating_before == "inadequate",
                "rating_after": rating_after, "in_special_measures_after": sm_after, "closure": closure,
                "notes": "Adviser-only notes.", "imported": False, "created_at": _at(commissioned),
                "_created": _at(commissioned),
                "_reason": None, "_by": commissioner_lead["id"], "_root": root, "_reached": reached,
                "_steps": step_days, "_ended": ended,
            }
            contracts.append(contract)
            # "Spent" is payments made: a paid NHSE invoice of that amount, paid a month or so after the agreement.
            if contract["spent"] > 0:
                invoiced = min(self.today, commissioned + datetime.timedelta(days=rng.randint(20, 60)))
                payments.append({
                    "id": len(payments) + 1, "contract_id": contract["id"], "funder": "nhse", "kind": "invoice",
                    "reference": f"INV-{contract['id']:05d}", "amount": contract["spent"], "invoiced_on": invoiced,
                    "paid_on": min(self.today, invoiced + datetime.timedelta(days=rng.randint(7, 45))), "note": "",
                    "over_allocation_reason": "",
                    "recorded_by_id": self.rcgp_admins[0]["id"], "created_at": _at(invoiced), "version": 1,
                    "_created": _at(invoiced), "_by": self.rcgp_admins[0]["id"]})
            # Workflow moves (a transition row and a history row each).
            path = [] if state == "enquiry" else MAIN_PATH[:reached + 1]
            previous = ""
            actor = self.rcgp_admins[0]["id"]
            for k, to_state in enumerate(path):
                transitions.append((to_state, previous, contract["id"], step_days[k], actor))
                if k:
                    history.append(({**contract, "state": to_state}, _at(step_days[k], 30), f"→ {to_state}", "~",
                                     actor))
                previous = to_state
            if state in SIDE_EXITS:
                transitions.append((state, previous, contract["id"], ended_on, actor))
                history.append((contract, _at(ended_on, 30), f"→ {state}", "~", actor))
            # The adviser team: two advisers from the pool, preferring those with room.
            if reached >= 2:
                live = not ended
                pool = sorted(rng.sample(self.field_advisers, min(8, len(self.field_advisers))),
                              key=lambda a: load[a["id"]])[:2]
                for adviser in pool:
                    if live:
                        load[adviser["id"]] += 1
                    teams.append({"id": len(teams) + 1, "contract_id": contract["id"], "adviser_id": adviser["id"],
                                  "added_by_id": deputy or actor, "added_at": _at(step_days[2]), "removed_at": None,
                                  "removed_by_id": None, "capacity_override_reason": "",
                                  "_created": _at(step_days[2]), "_by": deputy or actor})
            # Consent to share, decided at the consent-decision step.
            decided = reached >= 6 and not (state in SIDE_EXITS and reached < 6)
            status = rng.choices(["given", "refused", "not_decided"], [75, 15, 10])[0] if decided else "not_decided"
            practice_lead = self.practice_users[practice["id"]]["practice_lead"]["id"]
            consents.append({"id": i + 1, "contract_id": contract["id"], "status": status,
                             "decided_by_id": practice_lead if status != "not_decided" else None,
                             "decided_at": _at(step_days[6]) if status != "not_decided" else None,
                             "note": "", "_created": _at(step_days[min(6, max(reached, 0))]), "_by": practice_lead,
                             "_reason": status if status != "not_decided" else None})
        self._copy_with_history(loader, "contracts.Contract", contracts, history)
        model = self.model["contracts.ContractTransition"]
        loader.copy(model, ["id", "contract_id", "from_state", "to_state", "by_id", "at", "effective_on", "note"],
                    ((k + 1, cid, frm, to, by, _at(day, 30), day, "") for k, (to, frm, cid, day, by)
                     in enumerate(transitions)))
        self._copy_with_history(loader, "contracts.TeamMembership", teams)
        self._copy_with_history(loader, "contracts.Payment", payments)
        self._copy_with_history(loader, "forwardplans.ConsentToShare", consents)
        self.contract_rows = contracts

    # Documents ---------------------------------------------------------------------------------------------

    def reports(self, loader):
        rng = self.rng
        reports, versions, history = [], [], []
        for i, c in enumerate(self.contract_rows):
            if i == self.recent_from:
                self._recent("recent reports")
            reached = c["_reached"]
            if reached >= 6 or c["state"] == "closed":
                state = "final"
            elif reached == 5:
                state = "with_practice"
            else:
                state = "draft"
            written = reached >= 4 or state != "draft"
            deputy = c["deputy_lead_id"] or self.rcgp_admins[0]["id"]
            adviser = self.field_advisers[c["id"] % len(self.field_advisers)]["user_id"]
            started = c["_steps"][4] if reached >= 4 else c["_steps"][0]
            row = {"id": c["id"], "contract_id": c["id"], "state": state,
                   "root_causes": Jsonb(rng.sample(ROOT_CAUSES, rng.randint(1, 3)) if written else []),
                   "approved_by_id": deputy if state == "final" else None,
                   "approved_at": _at(c["_steps"][6]) if state == "final" else None,
                   "updated_by_id": adviser, "updated_at": _at(c["_steps"][min(reached, 6)] if reached >= 0
                                                               else c["_steps"][0]),
                   "section_versions": Jsonb({}), "_created": _at(started), "_by": adviser}
            for section in SECTIONS:  # a full report: several paragraphs a section
                row[section] = "\n\n".join(self._text(True, 4, 8) for _ in range(rng.randint(2, 4))) if written else ""
            moves = {"draft": 0, "with_practice": 1, "final": 2}[state]
            row["revision"] = 1 + (1 if written else 0) + moves
            reports.append(row)
            if written:
                history.append(({**row, "state": "draft", "revision": 2}, _at(started, 120), "edited", "~", adviser))
            if moves:
                history.append(({**row, "state": "with_practice", "revision": 3}, _at(c["_steps"][5]),
                                "→ with_practice", "~", deputy))
                sections = {name: row["history_text" if name == "history" else name] for name in
                            ["history", *SECTIONS[1:]]}
                versions.append((row["id"], 1, "with_practice", sections, deputy, _at(c["_steps"][5])))
            if state == "final":
                history.append((row, _at(c["_steps"][6]), "→ final", "~", deputy))
                versions.append((row["id"], 2, "final", versions[-1][3], deputy, _at(c["_steps"][6])))
        self._copy_with_history(loader, "forwardplans.DiagnosticReport", reports, history)
        root_causes = {r["id"]: r["root_causes"] for r in reports}
        loader.copy(self.model["forwardplans.ReportVersion"],
                    ["id", "report_id", "number", "state", "sections", "root_causes", "created_by_id", "created_at"],
                    ((k + 1, rid, number, state, Jsonb(sections), root_causes[rid], by, at)
                     for k, (rid, number, state, sections, by, at) in enumerate(versions)))

    def plans(self, loader):
        """Plans, 40 actions each with milestones, the RAG history and progress: the big tables, in tuples."""
        plans = []
        for c in self.contract_rows:
            created = c["_steps"][4] if c["_reached"] >= 4 else c["_steps"][0]
            # Plans answer no inspection here (forwardplans 0015); version 1 as a new plan's.
            plans.append({"id": c["id"], "contract_id": c["id"], "inspection_id": None, "version": 1,
                          "created_at": _at(created), "updated_at": _at(created), "_created": _at(created),
                          "_day": created, "_contract": c})
        self._copy_with_history(loader, "forwardplans.ForwardPlan", [
            {k: v for k, v in p.items() if k != "_contract"} for p in plans])

        for part in (plans[:self.recent_from], plans[self.recent_from:]):
            if part and part[0]["id"] == self.recent_from + 1:
                self._recent("recent plans")
            for first in range(0, len(part), 250):  # in chunks, so memory stays flat
                self._plan_chunk(loader, part[first:first + 250])

    ACTION_COLUMNS = ["id", "plan_id", "key_question", "regulation", "problem", "underlying_issue", "action_planned",
                      "lead_person", "lead_user_id", "responsible", "accountable", "resources", "sources_of_support",
                      "evidence_needed", "eventual_goal", "planned_completion", "next_steps", "priority", "rag_status",
                      "version", "updated_at"]
    NEXT_STATUS = {"red": (("amber", "green"), (85, 15)), "amber": (("green", "red"), (65, 35)),
                   "green": (("amber", "red"), (80, 20))}

    def _plan_chunk(self, loader, plans):
        rng, ids = self.rng, self.ids
        action_cols = self.ACTION_COLUMNS
        rag_i, version_i, updated_i = (action_cols.index(c) for c in ("rag_status", "version", "updated_at"))
        actions, action_history, milestones, milestone_history, rag_changes, progress = [], [], [], [], [], []
        per_plan = self.size["actions_per_plan"]
        changes_mean = self.size["rag_changes_per_action"]
        for plan in plans:
            c = plan["_contract"]
            start = plan["_day"]
            horizon = max(1, min((self.today - start).days, 540))
            users = self.practice_users[c["practice_id"]]
            lead, practice_user = users["practice_lead"]["id"], users["practice_user"]["id"]
            for k in range(per_plan):
                aid = ids["action"] = ids["action"] + 1
                problem = rng.choice(PROBLEMS)
                completion = start + datetime.timedelta(days=rng.randint(30, 365))
                created = _at(start, k)
                row = [aid, plan["id"], rng.choices(KEY_QUESTIONS, KQ_WEIGHTS)[0], rng.choice(REGULATIONS),
                       f"{problem}.", rng.choice(ISSUES) + ".", rng.choice(ACTIONS) + ".",
                       f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", lead, "Practice team",
                       "Senior partner", "Two hours a week of the lead's time", "PCN and ICB primary care team",
                       f"Audit or log showing: {problem.lower()} resolved.", "Re-audit shows the change is embedded.",
                       completion, "Review at the next partners' meeting.", (k + 1) * 10, "red", 1, created]
                ids["action_history"] += 1
                action_history.append((*row, ids["action_history"], created, None, "+", c["deputy_lead_id"]))
                # RAG changes: a walk from Red, about ``changes_mean`` steps, spread over the plan's life so far.
                n = rng.randint(0, 2 * changes_mean)
                offsets = sorted(rng.randint(1, horizon * 1440) for _ in range(n))
                status = "red"
                for step, minutes in enumerate(offsets):
                    choices, weights = self.NEXT_STATUS[status]
                    to = rng.choices(choices, weights)[0]
                    at = min(created + datetime.timedelta(minutes=minutes),
                             self.now - datetime.timedelta(minutes=n - step))
                    by = practice_user if step % 3 else lead
                    reason = rng.choice(REASONS)
                    ids["rag"] += 1
                    rag_changes.append((ids["rag"], aid, status, to, by, at, reason,
                                        "Evidence held on the practice's shared drive." if to == "green" else ""))
                    row[rag_i], row[version_i], row[updated_i] = to, step + 2, at
                    ids["action_history"] += 1
                    action_history.append((*row, ids["action_history"], at, f"RAG {to}: {reason}", "~", by))
                    status = to
                actions.append(tuple(row))
                # Milestones through the action's life; past ones mostly done.
                span = max(1, (completion - start).days)
                for m in range(self.size["milestones_per_action"]):
                    ids["milestone"] += 1
                    due = start + datetime.timedelta(days=round(span * (m + 1) / 4) + rng.randint(-7, 7))
                    done = None
                    if due <= self.today and (status == "green" or rng.random() < 0.8):
                        done = min(self.today, due + datetime.timedelta(days=rng.randint(-5, 10)))
                    milestone = (ids["milestone"], aid, f"Milestone {m + 1}: {rng.choice(PROGRESS)[:-1].lower()}",
                                 due, done, practice_user if done else None)
                    milestones.append(milestone)
                    ids["milestone_history"] += 1
                    milestone_history.append((ids["milestone_history"], created, "+", None, *milestone[:4], None, None))
                    if done:
                        ids["milestone_history"] += 1
                        milestone_history.append((ids["milestone_history"], _at(done, 90), "~", practice_user,
                                                  *milestone))
                for _ in range(rng.choice([0, 1, 2, 2, 3, 4])):
                    ids["progress"] += 1
                    day = min(self.today, start + datetime.timedelta(days=rng.randint(0, horizon)))
                    progress.append((ids["progress"], aid, day, rng.choice(PROGRESS), _at(day), practice_user))
        action_model, milestone_model = self.model["forwardplans.Action"], self.model["forwardplans.Milestone"]
        loader.copy(action_model, action_cols, actions)
        loader.copy(action_model.history.model, [*action_cols, *HISTORY_COLUMNS], action_history)
        loader.copy(milestone_model, ["id", "action_id", "description", "due_on", "done_on", "done_by_id"],
                    milestones)
        loader.copy(milestone_model.history.model,
                    ["history_id", "history_date", "history_type", "history_user_id", "id", "action_id",
                     "description", "due_on", "done_on", "done_by_id"], milestone_history)
        loader.copy(self.model["forwardplans.RagChange"],
                    ["id", "action_id", "from_status", "to_status", "by_id", "at", "reason", "evidence_justification"],
                    rag_changes)
        loader.copy(self.model["forwardplans.ProgressEntry"],
                    ["id", "action_id", "entry_date", "text", "created_at", "by_id"], progress)
