"""The data contract (shared/contract.md §1) as pydantic models, one per record kind.

The models are the single statement of what a valid row is: the importer validates with
them, the store derives its tables from them, and the templates and README list their
fields. A column's header is the field name; its meaning is the field description.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from evaluation.core import values as v
from evaluation.core.vocabulary import LONG_TERM, THREE_CONVERSATIONS

# Ids, sites and names to group by are normalised on import (core/text.py); free text is only
# trimmed: it is the person's own words.
Id = Annotated[str, BeforeValidator(v.required(v.label))]
Label = Annotated[str, BeforeValidator(v.required(v.label))]
OptLabel = Annotated[str | None, BeforeValidator(v.optional(v.label))]
Text = Annotated[str, BeforeValidator(v.required(str))]
OptText = Annotated[str | None, BeforeValidator(v.optional(str))]
Day = Annotated[date, BeforeValidator(v.required(v.uk_date))]
OptDay = Annotated[date | None, BeforeValidator(v.optional(v.uk_date))]
Money = Annotated[Decimal, BeforeValidator(v.required(v.money))]
OptMoney = Annotated[Decimal | None, BeforeValidator(v.optional(v.money))]
OptYesNo = Annotated[bool | None, BeforeValidator(v.optional(v.yes_no))]
ConsentFlag = Annotated[bool, BeforeValidator(v.optional(v.yes_no, default=False))]
Approach = Annotated[str, BeforeValidator(v.required(v.approach))]
ApproachDefault3C = Annotated[
    str, BeforeValidator(v.optional(v.approach, default=THREE_CONVERSATIONS))
]
RequestType = Annotated[str, BeforeValidator(v.required(v.request_type))]
OptConversation = Annotated[int | None, BeforeValidator(v.optional(v.conversation_number))]
OptAnswer = Annotated[str | None, BeforeValidator(v.optional(v.answer))]
OptScore = Annotated[int | None, BeforeValidator(v.optional(v.score))]
OptPercent = Annotated[float | None, BeforeValidator(v.optional(v.percent))]
Status = Annotated[str, BeforeValidator(v.required(v.status))]
OptAgeBand = Annotated[str | None, BeforeValidator(v.optional(v.age_band))]
Support = Annotated[str, BeforeValidator(v.optional(v.support, default=LONG_TERM))]


def column_error(column: str, message: str) -> PydanticCustomError:
    """A row-level error that belongs to one column (reported against that column)."""
    return PydanticCustomError("contract_row", message, {"column": column})


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Conversation(Record):
    conversation_id: Id = Field(
        description="id of this conversation in the source system; re-importing it replaces the row"
    )
    person_id: Id = Field(description="the person's id; stored only as a keyed pseudonym")
    site: Label = Field(description="innovation site or team name")
    approach: Approach = Field(description="'three conversations' or 'usual practice'")
    conversation: OptConversation = Field(
        None, description="1, 2 or 3 (required for three conversations rows)"
    )
    request_type: RequestType = Field(
        description="'new' (no long-term support yet) or 'existing' (already has care and support)"
    )
    request_id: OptLabel = Field(
        None, description="the request this conversation belongs to; blank: its own request"
    )
    requested_on: OptDay = Field(None, description="date the request arrived")
    started_on: Day = Field(description="date the conversation started")
    ended_on: OptDay = Field(None, description="date it finished; blank while underway")
    long_term_support: OptYesNo = Field(
        None, description="yes/no: it ended with long-term support arranged"
    )
    worker_id: OptLabel = Field(None, description="who held it; stored only as a keyed pseudonym")
    area: OptLabel = Field(None, description="locality, constituency or postcode district")
    cohort: OptLabel = Field(None, description="a free label to split results by")
    weekly_cost_before: OptMoney = Field(
        None, description="£ gross weekly long-term care cost the day before it started"
    )
    weekly_cost_after: OptMoney = Field(None, description="£ the same, 30 days after it ended")
    care_suspended: OptYesNo = Field(
        None, description="yes/no: care suspended or cancelled at either date"
    )
    died_on: OptDay = Field(None, description="date of death")
    age_band: OptAgeBand = Field(
        None, description="'18-64' or '65+' at the request (for like-for-like comparisons)"
    )
    support_reason: OptLabel = Field(
        None, description="the person's primary support reason, as the council records it"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Conversation:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise column_error(
                "ended_on",
                f"ended before it started (started_on is {self.started_on:%d/%m/%Y})",
            )
        if self.approach == THREE_CONVERSATIONS and self.conversation is None:
            raise column_error(
                "conversation", "required for three conversations rows: give 1, 2 or 3"
            )
        return self


class CarePackage(Record):
    package_id: Id = Field(description="unique id of the package; re-importing it replaces the row")
    person_id: Id = Field(description="the person's id; stored only as a keyed pseudonym")
    service: OptLabel = Field(None, description="e.g. home care, residential, direct payment")
    starts_on: Day = Field(description="first day the package applies")
    ends_on: OptDay = Field(None, description="last day it applies; blank means open")
    gross_weekly_cost: Money = Field(description="£ per week, not negative")
    status: Status = Field(description="'active', 'suspended' or 'cancelled'")
    support: Support = Field(
        LONG_TERM,
        description="'long term' (default) or 'short term' (reablement, ST-Max, short stays): "
        "only long-term packages make the weekly cost of long-term care",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CarePackage:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise column_error(
                "ends_on", f"ends before it starts (starts_on is {self.starts_on:%d/%m/%Y})"
            )
        return self


class Feedback(Record):
    feedback_id: Id = Field(description="unique id of the response")
    site: Label = Field(description="innovation site or team name")
    received_on: Day = Field(description="date the feedback was given")
    conversation_id: OptLabel = Field(None, description="the conversation it is about")
    approach: ApproachDefault3C = Field(
        THREE_CONVERSATIONS, description=f"default '{THREE_CONVERSATIONS}'"
    )
    method: OptLabel = Field(
        None, description="phone interview, survey, compliment, complaint or other"
    )
    treated_well: OptAnswer = Field(None, description="yes / partly / no")
    helped: OptAnswer = Field(None, description="yes / partly / no")
    listened_to: OptAnswer = Field(None, description="yes / partly / no")
    satisfaction: OptScore = Field(None, description="1 to 5")
    what_worked: OptText = Field(None, description="free text")
    what_didnt_work: OptText = Field(None, description="free text")
    consent_to_quote: ConsentFlag = Field(False, description="yes/no, default no")


class Story(Record):
    story_id: Id = Field(description="unique id of the story")
    site: Label = Field(description="innovation site or team name")
    told_on: Day = Field(description="date the story was told")
    conversation: OptConversation = Field(None, description="1, 2 or 3")
    title: Text = Field(description="a short title")
    story: Text = Field(description="the story, free text")
    consent_to_share: ConsentFlag = Field(False, description="yes/no, default no")


class StaffResponse(Record):
    response_id: Id = Field(description="unique id of the response")
    site: Label = Field(description="innovation site or team name")
    responded_on: Day = Field(description="date of the response")
    approach: ApproachDefault3C = Field(
        THREE_CONVERSATIONS, description=f"default '{THREE_CONVERSATIONS}'"
    )
    role: OptLabel = Field(None, description="e.g. social worker, care manager")
    motivation: OptScore = Field(None, description="1 to 5")
    satisfaction: OptScore = Field(None, description="1 to 5")
    making_a_difference: OptScore = Field(None, description="1 to 5")
    workload_manageable: OptScore = Field(None, description="1 to 5")
    time_with_people_pct: OptPercent = Field(
        None, description="0 to 100: share of time with people rather than forms and systems"
    )
    comment: OptText = Field(None, description="free text")
    consent_to_quote: ConsentFlag = Field(False, description="yes/no, default no")


@dataclass(frozen=True)
class Kind:
    """One record kind: its model, its table and the columns the store pseudonymises."""

    name: str
    label: str
    model: type[Record]
    id_column: str
    pseudonymised: tuple[str, ...] = ()
    # The model validators' cross-column rules as SQL over parsed columns (column, condition),
    # for the vectorised check; each must say exactly what the model validator says.
    row_rules: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> list[str]:
        return list(self.model.model_fields)

    @property
    def required(self) -> list[str]:
        return [name for name, f in self.model.model_fields.items() if f.is_required()]

    def sql_type(self, column: str) -> str:
        return _sql_type(self.model.model_fields[column].annotation)

    def description(self, column: str) -> str:
        return self.model.model_fields[column].description or ""


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "conversations",
            "Conversations",
            Conversation,
            "conversation_id",
            ("person_id", "worker_id"),
            (
                ("ended_on", "ended_on IS NULL OR ended_on >= started_on"),
                (
                    "conversation",
                    f"approach <> '{THREE_CONVERSATIONS}' OR conversation IS NOT NULL",
                ),
            ),
        ),
        Kind(
            "care_packages",
            "Care packages",
            CarePackage,
            "package_id",
            ("person_id",),
            (("ends_on", "ends_on IS NULL OR ends_on >= starts_on"),),
        ),
        Kind("feedback", "Feedback from people and families", Feedback, "feedback_id"),
        Kind("stories", "Stories of difference", Story, "story_id"),
        Kind("staff", "Staff experience", StaffResponse, "response_id"),
    )
}


def _sql_type(annotation: Any) -> str:
    """DuckDB column type for a model field's Python type (Optional unwrapped)."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return {
        str: "VARCHAR",
        date: "DATE",
        Decimal: "DECIMAL(12,2)",
        bool: "BOOLEAN",
        int: "INTEGER",
        float: "DOUBLE",
    }[annotation]
