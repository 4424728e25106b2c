"""Forms of the events pages: fields and their messages only (the rules are in events/services.py)."""

import datetime
import re

from django import forms
from django.utils import timezone

from core.forms import DayMonthYearField, Form
from practices.models import Commissioner, Practice

from .vocabulary import Attendance, AttendeeRole, Kind

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}
YES_NO = [("yes", "Yes"), ("no", "No")]
INVITED = [("all", "Every practice"), ("chosen", "The practices of chosen commissioners, or chosen practices")]


def _time(text, subject):
    text = (text or "").strip()
    try:
        return datetime.datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise forms.ValidationError(f"Enter {subject} on the 24-hour clock, like 09:30") from None


def _codes(text):
    return [code.upper() for code in re.split(r"[\s,;]+", text or "") if code]


class EventForm(Form):
    title = forms.CharField(label="Title", max_length=200)
    kind = forms.ChoiceField(label="What kind of event is it?", choices=Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of event"})
    description = forms.CharField(label="Description (optional)", required=False, widget=forms.Textarea,
                                  max_length=10000)
    starts_on = DayMonthYearField(label="Start date")
    start_time = forms.CharField(label="Start time", max_length=5, help_text="24-hour clock, like 09:30.")
    ends_on = DayMonthYearField(label="End date")
    end_time = forms.CharField(label="End time", max_length=5, help_text="24-hour clock, like 16:30.")
    venue = forms.CharField(label="Venue (leave empty if online only)", required=False, max_length=200)
    online = forms.ChoiceField(label="Can people join online?", choices=YES_NO, widget=forms.RadioSelect,
                               error_messages={"required": "Select whether people can join online"})
    organiser = forms.CharField(label="Organiser", max_length=200, initial="RCGP")
    places = forms.IntegerField(label="Places", min_value=1, max_value=100000,
                                help_text="How many people may register, from every practice together.")
    registration_closes_on = DayMonthYearField(label="Registration closes (optional)", required=False,
                                               help_text="The last day to register. Leave empty: the day the event "
                                                         "starts.")
    invited = forms.ChoiceField(label="Who is invited?", choices=INVITED, widget=forms.RadioSelect,
                                error_messages={"required": "Select who is invited"})
    commissioners = forms.CharField(label="Invited commissioners (ODS codes, optional)", required=False,
                                    max_length=2000, help_text="Separated by commas, like 00Y, 01A. An ICB's "
                                                               "sub-ICB locations' practices are invited too.")
    practices = forms.CharField(label="Invited practices (ODS codes, optional)", required=False, max_length=5000,
                                help_text="Separated by commas, like P85022, P85610.")
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    error_subjects = {"start_time": "the start time", "end_time": "the end time", "places": "the number of places",
                      "commissioners": "the invited commissioners", "practices": "the invited practices"}

    def __init__(self, *args, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["version"]

    def clean_start_time(self):
        return _time(self.cleaned_data.get("start_time"), "the start time")

    def clean_end_time(self):
        return _time(self.cleaned_data.get("end_time"), "the end time")

    def clean_commissioners(self):
        codes = _codes(self.cleaned_data.get("commissioners"))
        found = {c.ods_code: c for c in Commissioner.objects.filter(ods_code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(f"Invited commissioners: no commissioner has the ODS code "
                                        f"{', '.join(unknown)}")
        return [found[code] for code in dict.fromkeys(codes)]

    def clean_practices(self):
        codes = _codes(self.cleaned_data.get("practices"))
        found = {p.ods_code: p for p in Practice.objects.filter(ods_code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(f"Invited practices: no practice has the ODS code {', '.join(unknown)}")
        return [found[code] for code in dict.fromkeys(codes)]

    def clean(self):
        data = super().clean()
        if data.get("invited") == "chosen" and "commissioners" in data and "practices" in data \
                and not data["commissioners"] and not data["practices"]:
            self.add_error("commissioners", "Enter the ODS codes of the invited commissioners or practices, or "
                                            "invite every practice")
        return data

    def values(self):
        data, zone = self.cleaned_data, timezone.get_current_timezone()
        chosen = data["invited"] == "chosen"
        return {"title": data["title"], "kind": data["kind"], "description": data["description"],
                "starts_at": datetime.datetime.combine(data["starts_on"], data["start_time"], tzinfo=zone),
                "ends_at": datetime.datetime.combine(data["ends_on"], data["end_time"], tzinfo=zone),
                "venue": data["venue"], "online": data["online"] == "yes", "organiser": data["organiser"],
                "places": data["places"], "registration_closes_on": data["registration_closes_on"],
                "open_to_all": not chosen,
                "invited_commissioners": data["commissioners"] if chosen else [],
                "invited_practices": data["practices"] if chosen else []}

    @staticmethod
    def initial_for(event):
        starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        return {"title": event.title, "kind": event.kind, "description": event.description,
                "starts_on": starts.date(), "start_time": f"{starts:%H:%M}", "ends_on": ends.date(),
                "end_time": f"{ends:%H:%M}", "venue": event.venue, "online": "yes" if event.online else "no",
                "organiser": event.organiser, "places": event.places,
                "registration_closes_on": event.registration_closes_on,
                "invited": "all" if event.open_to_all else "chosen",
                "commissioners": ", ".join(c.ods_code for c in event.invited_commissioners.all()),
                "practices": ", ".join(p.ods_code for p in event.invited_practices.all()),
                "version": event.version}


class RegistrationForm(Form):
    attendee_name = forms.CharField(label="Attendee's name", max_length=200)
    attendee_role = forms.ChoiceField(label="Attendee's role", choices=AttendeeRole.choices,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": "Select the attendee's role"})
    practice = forms.ChoiceField(label="Practice", required=False)
    error_subjects = {"attendee_name": "the attendee's name"}

    def __init__(self, *args, practices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # RCGP admin chooses among the invited practices; a practice's user registers their own (no choice).
        if practices:
            self.fields["practice"] = forms.ChoiceField(
                label="Practice", choices=[("", "Choose a practice")] + [(str(p.pk), f"{p.name} ({p.ods_code})")
                                                                          for p in practices],
                error_messages={"required": "Choose the practice the attendee works at"})
        else:
            del self.fields["practice"]


class CancelForm(Form):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)


class AttendanceForm(Form):
    """One radio group per registration (``attendance_<pk>``) with its version (``version_<pk>``)."""

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            self.fields[f"attendance_{registration.pk}"] = forms.ChoiceField(
                label=f"{registration.attendee_name} ({registration.practice.name})", choices=Attendance.choices,
                widget=forms.RadioSelect, required=False, initial=registration.attendance or None)
            self.fields[f"version_{registration.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=registration.version, error_messages=OUT_OF_DATE)

    def rows(self):
        return [(registration, self[f"attendance_{registration.pk}"], self[f"version_{registration.pk}"])
                for registration in self.registrations]

    def marks(self):
        """[(registration id, attendance, version)] for the people marked, plus any registration id posted that
        is not one of the event's (``attendance_<id>``), for the service to refuse."""
        marks = [(r.pk, self.cleaned_data[f"attendance_{r.pk}"], self.cleaned_data[f"version_{r.pk}"])
                 for r in self.registrations if self.cleaned_data.get(f"attendance_{r.pk}")]
        known = {r.pk for r in self.registrations}
        for key, value in self.data.items():
            match = re.fullmatch(r"attendance_(\d+)", key)
            if match and int(match.group(1)) not in known and value:
                marks.append((int(match.group(1)), value, None))
        return marks


class PeerSupportForm(Form):
    supporting = forms.CharField(label="Supporting practice (ODS code)", max_length=6,
                                 help_text="A practice at Excellence.")
    supported = forms.CharField(label="Supported practice (ODS code)", max_length=6,
                                help_text="A practice at Rescue or Resilience.")
    started_on = DayMonthYearField(label="Date the support started")
    support = forms.CharField(label="What is the support?", widget=forms.Textarea, max_length=5000)
    error_subjects = {"supporting": "the supporting practice's ODS code",
                      "supported": "the supported practice's ODS code", "support": "what the support is"}

    def _practice(self, name, label):
        code = (self.cleaned_data.get(name) or "").strip().upper()
        practice = Practice.objects.select_related("commissioner").filter(ods_code=code).first()
        if practice is None:
            raise forms.ValidationError(f"{label}: no practice has the ODS code {code}")
        return practice

    def clean_supporting(self):
        return self._practice("supporting", "Supporting practice")

    def clean_supported(self):
        return self._practice("supported", "Supported practice")


class EndPeerSupportForm(Form):
    ended_on = DayMonthYearField(label="Date the support ended")
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
