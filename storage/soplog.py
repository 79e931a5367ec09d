"""The queries the bot needs on the SOP log. Results are plain dataclasses, never ORM objects,
so callers hold no session and no connection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from core.problems import Problem, dump_problems, load_problems
from core.sop import ASSIGNMENTS, STEP_BY_NUMBER, Role, StepKind
from storage import chain
from storage.models import (
    AccessDenial,
    Instruction,
    InstructionDelivery,
    KnownUser,
    SopRun,
    StepEvent,
)
from storage.repository import Repository
from storage.states import DONE_STEPS, InstructionStatus, StepOutcome


@dataclass(frozen=True)
class StepRecord:
    step_number: int
    actor_id: int | None
    actor_role: str
    started_at: datetime | None
    finished_at: datetime
    outcome: StepOutcome
    note: str
    instruction_id: int | None
    problem: Problem | None = None  # why a job's step failed or warned

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None:
            return None
        return self.finished_at - self.started_at


@dataclass(frozen=True)
class InstructionRecord:
    id: int
    run_date: date
    target_role: Role
    issued_by: int
    issued_at: datetime
    note: str
    status: InstructionStatus
    closed_by: int | None = None
    closed_at: datetime | None = None
    close_note: str = ""

    @property
    def duration(self) -> timedelta | None:
        return None if self.closed_at is None else self.closed_at - self.issued_at


@dataclass(frozen=True)
class DeliveryRecord:
    chat_id: int
    message_id: int | None


@dataclass(frozen=True)
class DayStatus:
    run_date: date
    events: tuple[StepRecord, ...]
    instructions: tuple[InstructionRecord, ...]

    def events_for(self, step_number: int) -> list[StepRecord]:
        return [event for event in self.events if event.step_number == step_number]

    def is_done(self, step_number: int) -> bool:
        return any(e.outcome in DONE_STEPS for e in self.events_for(step_number))

    @property
    def required_steps(self) -> list[int]:
        """Steps a person or job must carry out each day; schedule steps are configuration."""
        return [n for n, s in STEP_BY_NUMBER.items() if s.kind is not StepKind.SCHEDULE]

    @property
    def done_steps(self) -> list[int]:
        return [n for n in self.required_steps if self.is_done(n)]

    @property
    def complete(self) -> bool:
        return len(self.done_steps) == len(self.required_steps)


class CloseError(Exception):
    """The instruction cannot be closed (unknown, already closed, not this user's role)."""

    def __init__(self, reason: str, instruction: InstructionRecord | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.instruction = instruction


DONE_OUTCOMES = sorted(outcome.stored() for outcome in DONE_STEPS)  # as the column stores them


def _step(event: StepEvent | Row[Any]) -> StepRecord:
    return StepRecord(
        step_number=event.step_number,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        started_at=event.started_at,
        finished_at=event.finished_at,
        outcome=StepOutcome.read(event.outcome),
        note=event.note,
        instruction_id=event.instruction_id,
        problem=next(iter(load_problems(event.problem)), None),
    )


def _instruction(row: Instruction | Row[Any], run_date: date) -> InstructionRecord:
    return InstructionRecord(
        id=row.id,
        run_date=run_date,
        target_role=Role(row.target_role),
        issued_by=row.issued_by,
        issued_at=row.issued_at,
        note=row.note,
        status=InstructionStatus.read(row.status),
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        close_note=row.close_note,
    )


@dataclass
class SopLog(Repository):
    """Runs, instructions, step events, people and refused commands."""

    # --- runs -------------------------------------------------------------------------------

    def _run(self, session: Session, run_date: date, now: datetime) -> SopRun:
        run = session.scalars(select(SopRun).where(SopRun.run_date == run_date)).one_or_none()
        if run is None:
            run = SopRun(run_date=run_date, created_at=now)
            session.add(run)
            session.flush()
        return run

    def _last_finish(self, session: Session, run_id: int, before_step: int) -> datetime | None:
        """When the latest step before `before_step` (in the SOP's order) was done that day."""
        return session.scalars(
            select(StepEvent.finished_at)
            .where(
                StepEvent.run_id == run_id,
                StepEvent.step_number < before_step,
                StepEvent.outcome.in_(DONE_OUTCOMES),
            )
            .order_by(StepEvent.finished_at.desc())
            .limit(1)
        ).first()

    # --- steps ------------------------------------------------------------------------------

    def record_step(
        self,
        *,
        run_date: date,
        step_number: int,
        actor_id: int | None,
        actor_role: str,
        finished_at: datetime,
        started_at: datetime | None = None,
        outcome: StepOutcome = StepOutcome.DONE,
        note: str = "",
        instruction_id: int | None = None,
        problem: Problem | None = None,
    ) -> StepRecord:
        with self._sessions.begin() as session:
            return self.add_step(
                session,
                run_date=run_date,
                step_number=step_number,
                actor_id=actor_id,
                actor_role=actor_role,
                finished_at=finished_at,
                started_at=started_at,
                outcome=outcome,
                note=note,
                instruction_id=instruction_id,
                problem=problem,
            )

    def add_step(
        self,
        session: Session,
        *,
        run_date: date,
        step_number: int,
        actor_id: int | None,
        actor_role: str,
        finished_at: datetime,
        started_at: datetime | None = None,
        outcome: StepOutcome = StepOutcome.DONE,
        note: str = "",
        instruction_id: int | None = None,
        problem: Problem | None = None,
    ) -> StepRecord:
        """record_step inside the caller's transaction (a dump's verdict and its step are
        written together, or neither is)."""
        if step_number not in STEP_BY_NUMBER:
            raise ValueError(f"SOP-PIAK-02 has no step {step_number}")
        run = self._run(session, run_date, finished_at)
        event = StepEvent(
            run_id=run.id,
            step_number=step_number,
            actor_id=actor_id,
            actor_role=actor_role,
            started_at=started_at,
            finished_at=finished_at,
            outcome=StepOutcome.write(outcome),
            note=note,
            problem=dump_problems([problem]) if problem else "",
            instruction_id=instruction_id,
        )
        session.add(event)
        chain.record_row(session, event, finished_at)  # flushes
        return _step(event)

    # --- instructions -----------------------------------------------------------------------

    def issue_instruction(
        self,
        *,
        run_date: date,
        target: Role,
        issued_by: int,
        note: str,
        at: datetime,
        day_start: datetime | None = None,
    ) -> InstructionRecord:
        """Record the Kabid's instruction (step 1 or 10) and its step event in one transaction.

        The instruction step's clock starts at the latest earlier SOP step done that day (for
        step 10, the ADB's report), or at `day_start` when there is none (step 1); office hours
        decide what of that time counts (core.timing).
        """
        assignment = ASSIGNMENTS[target]
        with self._sessions.begin() as session:
            run = self._run(session, run_date, at)
            earlier = self._last_finish(session, run.id, before_step=assignment.instruction_step)
            started_at = earlier or day_start
            row = Instruction(
                run_id=run.id,
                target_role=target.value,
                issued_by=issued_by,
                issued_at=at,
                note=note,
                status=InstructionStatus.OPEN.stored(),
                close_note="",
            )
            session.add(row)
            chain.record_row(session, row, at)
            step = StepEvent(
                run_id=run.id,
                step_number=assignment.instruction_step,
                actor_id=issued_by,
                actor_role=Role.KABID.value,
                started_at=started_at,
                finished_at=at,
                outcome=StepOutcome.DONE.stored(),
                note=note,
                instruction_id=row.id,
            )
            session.add(step)
            chain.record_row(session, step, at)
            return _instruction(row, run.run_date)

    def record_delivery(
        self,
        instruction_id: int,
        chat_id: int,
        message_id: int | None,
        at: datetime,
        error: str = "",
    ) -> None:
        with self._sessions.begin() as session:
            session.add(
                InstructionDelivery(
                    instruction_id=instruction_id,
                    chat_id=chat_id,
                    message_id=message_id,
                    delivered_at=at,
                    error=error,
                )
            )

    def deliveries(self, instruction_id: int) -> list[DeliveryRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(InstructionDelivery).where(
                    InstructionDelivery.instruction_id == instruction_id,
                    InstructionDelivery.message_id.is_not(None),
                )
            )
            return [DeliveryRecord(row.chat_id, row.message_id) for row in rows]

    def instruction(self, instruction_id: int) -> InstructionRecord | None:
        with self._sessions() as session:
            found = session.execute(
                select(Instruction, SopRun.run_date)
                .join(SopRun, SopRun.id == Instruction.run_id)
                .where(Instruction.id == instruction_id)
            ).one_or_none()
            return None if found is None else _instruction(found[0], found[1])

    def open_instructions(
        self, roles: Iterable[Role], since: datetime | None = None
    ) -> list[InstructionRecord]:
        """Open instructions for these roles, oldest first (issued at or after `since`)."""
        role_values = [role.value for role in roles]
        with self._sessions() as session:
            query = (
                select(Instruction, SopRun.run_date)
                .join(SopRun, SopRun.id == Instruction.run_id)
                .where(
                    Instruction.status == InstructionStatus.OPEN.stored(),
                    Instruction.target_role.in_(role_values),
                )
            )
            if since is not None:
                query = query.where(Instruction.issued_at >= since)
            rows = session.execute(query.order_by(Instruction.id)).all()
            return [_instruction(row, run_date) for row, run_date in rows]

    def close_instruction(
        self,
        *,
        instruction_id: int,
        closed_by: int | None,
        roles: Iterable[Role],
        note: str,
        at: datetime,
        unverified: bool = False,
    ) -> InstructionRecord:
        """Close an open instruction of one of `roles` and record the steps it covered.

        The status change is a conditional UPDATE checked by row count, so two people pressing
        "Selesai" at once close it exactly once. Covered steps that nobody recorded today (for
        example a backup the ADB ran by hand) are recorded as confirmed by the closing user;
        steps a job already recorded keep their own events. `closed_by` None: the bot closed it
        on evidence (a verified copy). `unverified`: the person says it is done without evidence
        the bot could check; its report step is recorded as "unverified", which never counts as
        done.
        """
        role_values = {role.value for role in roles}
        with self._sessions.begin() as session:
            found = session.execute(
                select(Instruction, SopRun.run_date)
                .join(SopRun, SopRun.id == Instruction.run_id)
                .where(Instruction.id == instruction_id)
            ).one_or_none()
            if found is None:
                raise CloseError("unknown")
            row, run_date = found
            if row.target_role not in role_values:
                raise CloseError("wrong_role", _instruction(row, run_date))
            closed = session.execute(
                update(Instruction)
                .where(
                    Instruction.id == instruction_id,
                    Instruction.status == InstructionStatus.OPEN.stored(),
                )
                .values(
                    status=(
                        InstructionStatus.UNVERIFIED if unverified else InstructionStatus.DONE
                    ).stored(),
                    closed_by=closed_by,
                    closed_at=at,
                    close_note=note,
                )
            )
            if closed.rowcount != 1:  # type: ignore[attr-defined]
                raise CloseError("already_closed", _instruction(row, run_date))
            assignment = ASSIGNMENTS[Role(row.target_role)]
            steps: list[StepEvent] = []
            recorded = set(
                session.scalars(
                    select(StepEvent.step_number).where(
                        StepEvent.run_id == row.run_id,
                        StepEvent.step_number.in_(assignment.covered_steps),
                        StepEvent.outcome.in_(DONE_OUTCOMES),
                    )
                )
            )
            for number in assignment.covered_steps:
                step = STEP_BY_NUMBER[number]
                if step.kind is StepKind.SCHEDULE or number in recorded:
                    continue
                is_report = number == assignment.report_step
                outcome = StepOutcome.DONE if is_report else StepOutcome.CONFIRMED
                event = StepEvent(
                    run_id=row.run_id,
                    step_number=number,
                    actor_id=closed_by,
                    actor_role=row.target_role,
                    started_at=row.issued_at if is_report else None,
                    finished_at=at,
                    outcome=(StepOutcome.UNVERIFIED if unverified else outcome).stored(),
                    note=note,
                    instruction_id=row.id,
                )
                session.add(event)
                steps.append(event)
            session.refresh(row)
            chain.record_row(session, row, at)
            chain.record_rows(session, steps, at)
            return _instruction(row, run_date)

    # --- views ------------------------------------------------------------------------------

    def first_run_date(self) -> date | None:
        """The first office day anything was recorded: when the bot started keeping the SOP."""
        with self._sessions() as session:
            return session.scalar(select(func.min(SopRun.run_date)))

    def day_status(self, run_date: date) -> DayStatus:
        return self.days_status([run_date])[0]

    def days_status(self, run_dates: Sequence[date]) -> list[DayStatus]:
        """Status of several days with three queries, whatever the number of days.

        Plain rows rather than ORM objects: /status runs this on every call, and building
        objects would cost more than the queries themselves."""
        with self._sessions() as session:
            runs: dict[int, date] = {
                run_id: run_date
                for run_id, run_date in session.execute(
                    select(SopRun.id, SopRun.run_date).where(SopRun.run_date.in_(run_dates))
                )
            }
            events: dict[date, list[StepRecord]] = {d: [] for d in run_dates}
            instructions: dict[date, list[InstructionRecord]] = {d: [] for d in run_dates}
            if runs:
                step_events, orders = StepEvent.__table__, Instruction.__table__
                for event in session.execute(
                    select(step_events)
                    .where(step_events.c.run_id.in_(runs))
                    .order_by(step_events.c.run_id, step_events.c.step_number, step_events.c.id)
                ):
                    events[runs[event.run_id]].append(_step(event))
                for row in session.execute(
                    select(orders).where(orders.c.run_id.in_(runs)).order_by(orders.c.id)
                ):
                    instructions[runs[row.run_id]].append(_instruction(row, runs[row.run_id]))
            return [DayStatus(d, tuple(events[d]), tuple(instructions[d])) for d in run_dates]

    # --- people -----------------------------------------------------------------------------

    def remember_user(self, user_id: int, name: str, at: datetime) -> None:
        with self._sessions.begin() as session:
            known = session.get(KnownUser, user_id)
            if known is None:
                session.add(KnownUser(user_id=user_id, name=name[:128], seen_at=at))
            elif known.name != name[:128]:
                known.name, known.seen_at = name[:128], at

    def user_names(self) -> dict[int, str]:
        with self._sessions() as session:
            return {row.user_id: row.name for row in session.scalars(select(KnownUser))}

    # --- access -----------------------------------------------------------------------------

    def log_denial(
        self,
        *,
        at: datetime,
        user_id: int | None,
        chat_id: int | None,
        command: str,
        reason: str,
    ) -> None:
        with self._sessions.begin() as session:
            session.add(
                AccessDenial(
                    at=at, user_id=user_id, chat_id=chat_id, command=command[:64], reason=reason
                )
            )

    def denials(self, limit: int = 100) -> list[tuple[int | None, str, str]]:
        with self._sessions() as session:
            rows = session.scalars(
                select(AccessDenial).order_by(AccessDenial.id.desc()).limit(limit)
            )
            return [(row.user_id, row.command, row.reason) for row in rows]
