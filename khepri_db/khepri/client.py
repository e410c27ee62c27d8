"""Typed Python client for the Khepri RPCs, over psycopg (server side) or supabase-py (PostgREST).

One method per RPC; inputs and outputs are pydantic models. Units are in the field names (``_s``
seconds, ``_m`` metres, ``_kg``, ``_cm``, ``_bpm``, ``_watts``) and repeated in the field
descriptions. The database is the authority on ranges and allowed values: the models mirror them
for editor help, and the RPC re-checks everything.

Two transports, the same API:

* :class:`PsycopgTransport`: server-side code holding a database connection. Each call runs as one
  PostgREST-equivalent request (:func:`khepri_db.core.request.request_context`) for the given user.
* :class:`SupabaseTransport`: a ``supabase.Client``; calls go through PostgREST
  (``POST /rest/v1/rpc/<name>``) with the client's session.

Errors from either transport become one :class:`khepri_db.core.errors.RpcError` subclass chosen by
SQLSTATE, carrying the HTTP status PostgREST uses for it (:func:`postgrest_status`).

Usage::

    client = KhepriClient(PsycopgTransport(conn, user))
    result = client.finalize_onboarding(AthleteProfile(display_name="Ada"), idempotency_key="k1")
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from khepri_db.client.transports import PsycopgTransport, SupabaseTransport, Transport

__all__ = ["KhepriClient", "PsycopgTransport", "SupabaseTransport"]


# -- models ------------------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def payload(self) -> dict[str, Any]:
        """The JSON sent to the RPC (fields left as ``None`` are omitted)."""
        return self.model_dump(mode="json", exclude_none=True)


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore")


Units = Literal["metric", "imperial"]
Sex = Literal["female", "male", "other", "undisclosed"]
ExperienceLevel = Literal["beginner", "intermediate", "advanced", "elite"]
Sport = Literal["run", "bike", "swim", "strength", "rest", "other"]
WorkoutType = Literal["easy", "recovery", "tempo", "threshold", "intervals", "long", "race", "technique", "strength",
                      "mobility", "cross_training", "other"]  # fmt: skip
GoalType = Literal["race", "performance", "fitness", "health", "strength"]
FeedbackCategory = Literal["too_easy", "too_hard", "just_right", "pain", "fatigue", "illness", "time", "motivation",
                           "weather", "equipment", "other"]  # fmt: skip
WorkoutStatus = Literal["planned", "completed", "skipped"]
PerformanceMetric = Literal["ftp_watts", "threshold_pace_s_per_km", "css_s_per_100m", "vo2max", "time_trial_s"]
FitnessMetric = Literal["weekly_hours", "weekly_distance_km", "sessions_per_week", "longest_session_minutes"]


class Consents(_Input):
    """Consents the athlete gives (``True``) or withdraws (``False``); unset leaves them as they are."""

    health_data: bool | None = None
    ai_coaching: bool | None = None
    marketing: bool | None = None


class AthleteProfile(_Input):
    """The athlete profile ``finalize_onboarding`` stores."""

    display_name: str = Field(min_length=1, max_length=100)
    timezone: str | None = Field(None, description="IANA time zone name, e.g. Europe/Paris (default UTC)")
    units: Units | None = Field(None, description="display units (default metric); stored values are SI")
    preferences: dict[str, Any] | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    weight_kg: float | None = Field(None, ge=20, le=400, description="body weight, kg")
    height_cm: float | None = Field(None, ge=50, le=280, description="height, cm")
    daily_checkin_time: time | None = Field(None, description="local time of the daily check-in")
    experience_level: ExperienceLevel | None = None
    ftp_watts: int | None = Field(None, ge=30, le=2500, description="cycling functional threshold power, W")
    threshold_pace_s_per_km: int | None = Field(None, ge=120, le=1200, description="running threshold pace, s/km")
    css_s_per_100m: int | None = Field(None, ge=40, le=600, description="critical swim speed, s/100 m")
    resting_hr_bpm: int | None = Field(None, ge=20, le=150)
    max_hr_bpm: int | None = Field(None, ge=80, le=250)
    threshold_hr_bpm: int | None = Field(None, ge=60, le=240)
    one_rm_squat_kg: float | None = Field(None, ge=1, le=600)
    one_rm_bench_kg: float | None = Field(None, ge=1, le=500)
    one_rm_deadlift_kg: float | None = Field(None, ge=1, le=600)
    consents: Consents | None = None
    intervals_icu_athlete_id: str | None = Field(None, pattern=r"^i[0-9]{1,12}$")


class GoalInput(_Input):
    """A goal: the fields of its ``goal_type`` are required, the other types' fields refused."""

    goal_type: GoalType
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    priority: Literal["A", "B", "C"] | None = None
    target_date: date | None = None
    race_name: str | None = None
    race_date: date | None = None
    race_distance_m: int | None = Field(None, description="race distance, m")
    race_location: str | None = None
    race_target_time_s: int | None = Field(None, description="target finishing time, s")
    performance_metric: PerformanceMetric | None = None
    performance_current_value: float | None = None
    performance_target_value: float | None = None
    fitness_metric: FitnessMetric | None = None
    fitness_target_value: float | None = None
    health_metric: Literal["weight_kg", "body_fat_pct", "resting_hr_bpm", "sleep_hours", "hrv_ms"] | None = None
    health_target_value: float | None = None
    strength_lift: Literal["squat", "bench", "deadlift", "overhead_press", "total"] | None = None
    strength_target_kg: float | None = None


class OnboardingPlan(_Input):
    """The first training plan created (active) by ``finalize_onboarding``."""

    name: str = Field(min_length=1, max_length=200)
    starts_on: date | None = Field(None, description="default: today in the athlete's time zone")
    total_weeks: int | None = Field(None, ge=1, le=104)
    methodology_id: UUID | None = None
    phases: list[dict[str, Any]] | None = None
    weekly_template: dict[str, Any] | None = None


class OnboardingResult(_Output):
    """What ``finalize_onboarding`` created; a replay with the same key returns the same."""

    athlete_id: UUID
    goal_id: UUID | None
    plan_id: UUID | None
    conversation_id: UUID
    welcome_message_id: UUID
    onboarding_completed_at: datetime


class PlannedWorkout(_Input):
    """A session of a new plan: week 1..104, day 1..7 (1 = the plan's first day), slot 1..9."""

    week_number: int = Field(ge=1, le=104)
    day_number: int = Field(ge=1, le=7)
    slot: int | None = Field(None, ge=1, le=9)
    scheduled_on: date | None = Field(None, description="default: starts_on + 7*(week-1) + (day-1)")
    sport: Sport
    workout_type: WorkoutType | None = None
    title: str = Field(min_length=1, max_length=200)
    structure: dict[str, Any] | None = None
    planned_duration_s: int | None = Field(None, ge=1, le=86400, description="s")
    planned_distance_m: int | None = Field(None, ge=1, le=1_000_000, description="m")
    planned_load: float | None = Field(None, ge=0, le=2000, description="training stress score")


class NewPlan(_Input):
    """A training plan with all its sessions, for ``create_plan_with_workouts``."""

    athlete_id: UUID | None = Field(None, description="for a coach: the athlete; default: the caller")
    name: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date | None = None
    total_weeks: int | None = Field(None, ge=1, le=104)
    status: Literal["draft", "active"] | None = None
    goal_id: UUID | None = None
    methodology_id: UUID | None = None
    phases: list[dict[str, Any]] | None = None
    weekly_template: dict[str, Any] | None = None
    workouts: list[PlannedWorkout] = Field(default_factory=list)


class CreatedPlan(_Output):
    """The plan ``create_plan_with_workouts`` created and its sessions' ids in input order."""

    plan_id: UUID
    athlete_id: UUID
    status: Literal["draft", "active"]
    workout_ids: list[UUID]
    workouts: int


class ActivatedPlan(_Output):
    """Result of ``activate_plan``."""

    plan_id: UUID
    status: Literal["active"]
    previous_active_plan_id: UUID | None


class WorkoutSchedule(_Input):
    """``schedule_workout`` input: a plan slot (plan_id, week_number, day_number[, slot]) to create or
    move, or an ad-hoc session (scheduled_on, sport, title)."""

    plan_id: UUID | None = None
    athlete_id: UUID | None = None
    week_number: int | None = Field(None, ge=1, le=104)
    day_number: int | None = Field(None, ge=1, le=7)
    slot: int | None = Field(None, ge=1, le=9)
    scheduled_on: date | None = None
    sport: Sport | None = None
    workout_type: WorkoutType | None = None
    title: str | None = None
    structure: dict[str, Any] | None = None
    planned_duration_s: int | None = None
    planned_distance_m: int | None = None
    planned_load: float | None = None


class ActualWorkout(_Input):
    """What was done: duration in s, distance in m."""

    duration_s: int | None = Field(None, ge=1, le=172800)
    distance_m: int | None = Field(None, ge=0, le=2_000_000)


class WorkoutFeedback(_Input):
    """How it went."""

    categories: list[FeedbackCategory] | None = None
    text: str | None = Field(None, max_length=5000)


class Workout(_Output):
    """A row of ``public.workouts``."""

    id: UUID
    athlete_id: UUID
    plan_id: UUID | None
    week_number: int | None
    day_number: int | None
    slot: int
    scheduled_on: date | None
    sport: str
    workout_type: str | None
    title: str
    structure: dict[str, Any]
    planned_duration_s: int | None
    planned_distance_m: int | None
    planned_load: float | None
    status: WorkoutStatus
    completed_at: datetime | None
    actual_duration_s: int | None
    actual_distance_m: int | None
    rpe: int | None
    feedback_categories: list[str] | None
    feedback_text: str | None
    skip_reason: str | None


class DailyCheckin(_Input):
    """A daily check-in; scores are 1-10; ``checkin_date`` defaults to today in the athlete's zone."""

    checkin_date: date | None = None
    sleep_quality: int | None = Field(None, ge=1, le=10)
    sleep_hours: float | None = Field(None, ge=0, le=24, description="h")
    energy_level: int | None = Field(None, ge=1, le=10)
    stress_level: int | None = Field(None, ge=1, le=10)
    soreness_level: int | None = Field(None, ge=1, le=10)
    soreness_areas: dict[str, int] | None = Field(None, description="body part -> soreness 1-10")
    resting_hr_bpm: int | None = Field(None, ge=20, le=150)
    hrv_ms: float | None = Field(None, ge=1, le=500, description="heart-rate variability, ms")
    weight_kg: float | None = Field(None, ge=20, le=400)
    available_minutes: int | None = Field(None, ge=0, le=1440)
    equipment: list[str] | None = None
    travel_status: Literal["home", "traveling", "limited"] | None = None
    notes: str | None = Field(None, max_length=2000)
    ai_recommendation: dict[str, Any] | None = None
    recommendation_response: Literal["accepted", "modified", "skipped", "alternative"] | None = None


class DailyCheckinRow(_Output):
    """A row of ``public.daily_checkins``."""

    id: UUID
    athlete_id: UUID
    checkin_date: date
    sleep_quality: int | None
    sleep_hours: float | None
    energy_level: int | None
    stress_level: int | None
    soreness_level: int | None
    soreness_areas: dict[str, Any]
    resting_hr_bpm: int | None
    hrv_ms: float | None
    weight_kg: float | None
    available_minutes: int | None
    equipment: list[str] | None
    travel_status: str | None
    notes: str | None
    ai_recommendation: dict[str, Any] | None
    recommendation_response: str | None


class _ProgressCounts(_Output):
    """Sessions (rest days excluded) planned, completed, skipped and overdue (still planned, dated
    before today UTC); adherence = completed / (completed + skipped + overdue), ``None`` when nothing
    is due yet; average RPE (1-10) of completed sessions."""

    planned: int
    completed: int
    skipped: int
    overdue: int
    adherence_rate: float | None
    average_rpe: float | None


class WeekProgress(_ProgressCounts):
    """One week of :class:`PlanProgress`."""

    week_number: int


class PlanProgress(_ProgressCounts):
    """Progress of a whole plan, and per week."""

    plan_id: UUID
    weeks: list[WeekProgress]


class CoachLink(_Output):
    """A row of ``public.coach_links``."""

    id: UUID
    athlete_id: UUID
    coach_user_id: UUID
    status: Literal["pending", "active", "revoked"]
    invited_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class DataExport(_Output):
    """Everything the user owns (rows as JSON objects), from ``export_my_data``."""

    exported_at: datetime
    user: dict[str, Any]
    athlete: dict[str, Any] | None
    goals: list[dict[str, Any]]
    constraints: list[dict[str, Any]]
    daily_checkins: list[dict[str, Any]]
    training_plans: list[dict[str, Any]]
    workouts: list[dict[str, Any]]
    conversations: list[dict[str, Any]]
    coach_links: list[dict[str, Any]]
    idempotency_keys: list[dict[str, Any]]


M = TypeVar("M", bound=BaseModel)

# -- the client --------------------------------------------------------------------------------


class KhepriClient:
    """One typed method per Khepri RPC.

    Args:
        transport: :class:`PsycopgTransport` or :class:`SupabaseTransport`.

    Every method raises a :class:`~khepri_db.core.errors.RpcError` subclass on failure:
    ``BadRequestError`` (invalid input: the message names the field), ``UnauthorizedError`` (not
    signed in), ``ForbiddenError`` (signed in, not allowed), ``NotFoundError`` (unknown, or another
    user's, object), ``ConflictError`` (already exists, or wrong state), ``ServerError``.
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def _call(self, function: str, model: type[M], **args: Any) -> M:
        return model.model_validate(self.transport.call(function, {k: v for k, v in args.items() if v is not None}))

    def finalize_onboarding(
        self,
        profile: AthleteProfile,
        *,
        plan: OnboardingPlan | None = None,
        goal: GoalInput | None = None,
        idempotency_key: str | None = None,
    ) -> OnboardingResult:
        """Complete the signed-in user's onboarding: profile, optional first goal and active plan,
        and a welcome conversation, in one transaction. Retrying with the same ``idempotency_key``
        returns the first result. Raises ``ConflictError`` if onboarding was already completed (or
        an active plan exists), ``BadRequestError`` naming an invalid field, ``UnauthorizedError``
        for anon."""
        return self._call(
            "finalize_onboarding", OnboardingResult, profile=profile.payload(),
            plan=plan.payload() if plan else None, goal=goal.payload() if goal else None,
            idempotency_key=idempotency_key,
        )  # fmt: skip

    def create_plan_with_workouts(self, plan: NewPlan, *, idempotency_key: str | None = None) -> CreatedPlan:
        """Create a plan and all its sessions in one call (for the caller, or ``plan.athlete_id``
        for a coach). Raises ``ForbiddenError`` for an athlete the caller does not coach,
        ``NotFoundError`` for an unknown goal or methodology, ``BadRequestError`` naming a field."""
        return self._call(
            "create_plan_with_workouts", CreatedPlan, plan=plan.payload(), idempotency_key=idempotency_key
        )

    def activate_plan(self, plan_id: UUID | str) -> ActivatedPlan:
        """Make the plan the athlete's only active plan (the previous one is cancelled).
        Raises ``NotFoundError``, or ``ConflictError`` for a completed plan."""
        return self._call("activate_plan", ActivatedPlan, plan_id=str(plan_id))

    def schedule_workout(self, workout: WorkoutSchedule, *, idempotency_key: str | None = None) -> Workout:
        """Create or move a plan session (one row per plan, week, day, slot) or create an ad-hoc one."""
        return self._call("schedule_workout", Workout, workout=workout.payload(), idempotency_key=idempotency_key)

    def complete_workout(
        self,
        workout_id: UUID | str,
        *,
        actual: ActualWorkout | None = None,
        rpe: int | None = None,
        feedback: WorkoutFeedback | None = None,
    ) -> Workout:
        """Mark a workout completed (once: ``completed_at`` keeps its first value). ``rpe`` 1-10."""
        return self._call(
            "complete_workout", Workout, workout_id=str(workout_id), actual=actual.payload() if actual else None,
            rpe=rpe, feedback=feedback.payload() if feedback else None,
        )  # fmt: skip

    def skip_workout(self, workout_id: UUID | str, reason: str | None = None) -> Workout:
        """Mark a workout skipped. Raises ``ConflictError`` if it is already completed."""
        return self._call("skip_workout", Workout, workout_id=str(workout_id), reason=reason)

    def submit_daily_checkin(self, checkin: DailyCheckin) -> DailyCheckinRow:
        """Record the day's check-in (one per day; a second one merges into it)."""
        return self._call("submit_daily_checkin", DailyCheckinRow, checkin=checkin.payload())

    def plan_progress(self, plan_id: UUID | str) -> PlanProgress:
        """Progress of a plan, overall and per week."""
        return self._call("plan_progress", PlanProgress, plan_id=str(plan_id))

    def link_coach(self, coach_user_id: UUID | str) -> CoachLink:
        """Invite a user as coach (pending until they accept). Raises ``NotFoundError`` for an
        unknown user, ``BadRequestError`` for yourself."""
        return self._call("link_coach", CoachLink, coach_user_id=str(coach_user_id))

    def accept_coach_link(self, athlete_id: UUID | str) -> CoachLink:
        """As the invited coach, accept an athlete's invitation."""
        return self._call("accept_coach_link", CoachLink, athlete_id=str(athlete_id))

    def revoke_coach(self, coach_user_id: UUID | str) -> CoachLink:
        """End a coach's access at once."""
        return self._call("revoke_coach", CoachLink, coach_user_id=str(coach_user_id))

    def export_my_data(self) -> DataExport:
        """Every row the signed-in user owns."""
        return self._call("export_my_data", DataExport)

    def cleanup_expired_idempotency_keys(self) -> int:
        """service_role only: delete expired idempotency keys; returns how many were removed."""
        return int(self.transport.call("cleanup_expired_idempotency_keys", {}))
