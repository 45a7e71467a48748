"""Can every escalation reach someone? Warnings about chain steps nobody can be told of. Pure.

A step whose people have no valid mobile and no linked Telegram is only seen when someone
happens to look at the console: out of hours, nobody does. Checked by `cradle policy
check` and at the start of `serve`; the phone check is passed in (phonenumbers is heavy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.escalation import AlertChannel, ChainName, EscalationRole
from bot.core.model import Risk, Role, Staff
from bot.core.policy import Policies

_ROLE_STAFF = {
    EscalationRole.ALLOCATED_PRACTITIONER: (Role.PRACTITIONER,),
    EscalationRole.DUTY_CLINICIAN: (Role.DUTY_CLINICIAN,),
    EscalationRole.CLINICAL_LEAD: (Role.CLINICAL_LEAD,),
    EscalationRole.ADMINISTRATOR: (Role.ADMINISTRATOR,),
}
_ROLE_WORDS = {
    EscalationRole.ALLOCATED_PRACTITIONER: "practitioner",
    EscalationRole.DUTY_CLINICIAN: "duty clinician",
    EscalationRole.CLINICAL_LEAD: "clinical lead",
    EscalationRole.ADMINISTRATOR: "administrator",
    EscalationRole.ON_CALL: "on-call clinician",
}


def reachability_warnings(
    policies: Policies,
    staff: Iterable[Staff] | None,
    can_text: Callable[[str | None], bool],
    telegram_enabled: bool = True,
) -> list[str]:
    """Plain-English warnings; empty when every step can reach someone by phone.

    `staff` None means the staff list could not be read: only the policies are checked.
    """
    warnings: list[str] = []
    on_call = policies.out_of_hours.on_call
    for level in (Risk.EMERGENCY, Risk.CONCERN):
        if not any(
            EscalationRole.ON_CALL in step.notify
            for step in policies.escalation.chain(level, ChainName.OUT_OF_HOURS)
        ):
            warnings.append(
                f"the {level} out-of-hours chain has no on-call contact: out of hours it"
                " reaches only staff's own phones (add on_call in escalation.toml)"
            )
    if on_call is None:
        warnings.append(
            "out_of_hours.toml names no on-call contact: out-of-hours escalations go to"
            " staff's own mobiles only. Name the on-call service in [on_call]"
        )
    elif not can_text(on_call.mobile):
        warnings.append(
            f"the on-call mobile {on_call.mobile} in out_of_hours.toml is not a real mobile"
            " number (the shipped one is a placeholder): put the on-call service's number"
        )
    if staff is None:
        return warnings
    active = [m for m in staff if m.active]
    for level in (Risk.EMERGENCY, Risk.CONCERN):
        for chain in (ChainName.IN_HOURS, ChainName.OUT_OF_HOURS):
            for number, step in enumerate(policies.escalation.chain(level, chain), start=1):
                where = f"{level} {chain.value.replace('_', '-')} chain, step {number}"
                warnings += _step_warnings(
                    where, step.notify, step.channels, active, can_text, telegram_enabled, on_call
                )
    return list(dict.fromkeys(warnings))


def _step_warnings(
    where: str,
    roles: tuple[EscalationRole, ...],
    channels: tuple[AlertChannel, ...],
    active: list[Staff],
    can_text: Callable[[str | None], bool],
    telegram_enabled: bool,
    on_call: object,
) -> list[str]:
    warnings = []
    by_phone = AlertChannel.SMS in channels
    by_telegram = AlertChannel.TELEGRAM in channels and telegram_enabled
    if not (by_phone or by_telegram):
        return [f"{where}: alerts go to the console only, so nobody's phone is told"]
    reachable_somebody = False
    for role in roles:
        if role is EscalationRole.ON_CALL:
            reachable_somebody |= on_call is not None and by_phone
            continue
        people = [m for m in active if m.role in _ROLE_STAFF[role]]
        if not people:
            warnings.append(f"{where}: there is no active {_ROLE_WORDS[role]}")
            continue
        for member in people:
            phone = by_phone and can_text(member.mobile)
            telegram = by_telegram and member.telegram_chat_id is not None
            if phone or telegram:
                reachable_somebody = True
            else:
                warnings.append(
                    f"{where}: {member.name} ({_ROLE_WORDS[role]}) has no valid mobile"
                    " or linked Telegram, so an alert reaches them only in the console"
                )
    if not reachable_somebody:
        warnings.append(f"{where}: nobody in this step can be reached by phone")
    return warnings
