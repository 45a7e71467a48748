"""Accounts (/admin/accounts): the administrator adds staff, changes roles, resets passwords,
deactivates leavers, sees and ends sessions, and manages API tokens. Everyone can change
their own password at /account/password (and must, after a reset)."""

from __future__ import annotations

from aiohttp import web

from bot.clock import parse_instant
from bot.core.model import Role
from bot.runtime import accounts
from bot.runtime.accounts import AccountError
from bot.store import sessions, tokens
from bot.store import staff as staff_store
from bot.web import auth
from bot.web.console import int_or_none, signed_in_viewer
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

ROLE_OPTIONS = [(role.value, auth.role_label(role)) for role in Role]


def _form(raw: object) -> dict[str, str]:
    return {k: str(v) for k, v in raw.items() if k != auth.CSRF_FIELD}  # type: ignore[attr-defined]


async def _accounts_page(
    request: web.Request,
    *,
    errors: dict[str, str] | None = None,
    form: dict | None = None,
    status: int = 200,
    temporary: tuple[str, str] | None = None,
    new_token: str | None = None,
) -> web.Response:
    service = request.app[SERVICE]
    now = service.now()
    everyone = await staff_store.all_staff(service.db)
    open_sessions = {
        m.id: len(await sessions.open_for(service.db, m.id, now)) for m in everyone if m.id
    }
    names = {m.id: m.name for m in everyone}
    return auth.render(
        request,
        "console/admin_accounts.html",
        status=status,
        everyone=everyone,
        open_sessions=open_sessions,
        tokens=await tokens.listing(service.db),
        names=names,
        now=now,
        roles=ROLE_OPTIONS,
        errors=errors or {},
        form=form or {},
        temporary=temporary,
        new_token=new_token,
        tz=service.team_timezone(),
    )


@routes.get("/admin/accounts")
@auth.page
async def accounts_list(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    return await _accounts_page(request)


@routes.post("/admin/accounts")
@auth.page
async def add_account(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    form = _form(await request.post())
    role = form.get("role", "")
    if role not in {r.value for r in Role}:
        return await _accounts_page(
            request, errors={"role": "Select a role"}, form=form, status=422
        )
    try:
        staff_id, temporary = await accounts.add(
            request.app[SERVICE],
            f"staff:{viewer.id}",
            name=form.get("name", ""),
            email=form.get("email", ""),
            role=Role(role),
            mobile=form.get("mobile") or None,
        )
    except AccountError as exc:
        return await _accounts_page(
            request, errors={exc.field or "name": str(exc)}, form=form, status=422
        )
    assert temporary is not None
    return await _account_page(request, staff_id, temporary=temporary)


async def _account_page(
    request: web.Request,
    staff_id: int,
    *,
    temporary: str | None = None,
    warnings: list[str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    service = request.app[SERVICE]
    member = await staff_store.get(service.db, staff_id)
    if member is None:
        auth.not_found(request)
    now = service.now()
    return auth.render(
        request,
        "console/admin_account.html",
        status=status,
        member=member,
        sessions=await sessions.open_for(service.db, staff_id, now),
        tokens=await tokens.listing(service.db, staff_id),
        roles=ROLE_OPTIONS,
        temporary=temporary,
        warnings=warnings or [],
        errors=errors or {},
        now=now,
        tz=service.team_timezone(),
    )


def _staff_id(request: web.Request) -> int:
    staff_id = int_or_none(request.match_info["id"])
    if staff_id is None or staff_id > 2**62:
        auth.not_found(request)
    return staff_id


@routes.get("/admin/accounts/{id:\\d+}")
@auth.page
async def account(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    return await _account_page(request, _staff_id(request))


@routes.post("/admin/accounts/{id:\\d+}/{action:role|deactivate|reactivate|reset}")
@auth.page
async def change_account(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    staff_id = _staff_id(request)
    service = request.app[SERVICE]
    actor = f"staff:{viewer.id}"
    action = request.match_info["action"]
    form = _form(await request.post())
    member = await staff_store.get(service.db, staff_id)
    if member is None:
        auth.not_found(request)
    try:
        if action == "role":
            role = form.get("role", "")
            if role not in {r.value for r in Role}:
                raise AccountError("Select a role", "role")
            warnings = await accounts.set_role(service, actor, staff_id, Role(role))
            auth.flash(request, f"{member.name} is now {auth.role_label(Role(role))}.")
            if warnings:
                return await _account_page(request, staff_id, warnings=warnings)
        elif action == "deactivate":
            if staff_id == viewer.id:
                raise AccountError("You cannot deactivate your own account", "staff_id")
            result = await accounts.deactivate(service, actor, staff_id)
            auth.flash(
                request,
                f"{member.name} can no longer sign in: {result.sessions_ended} session(s)"
                f" ended, {result.tokens_revoked} API token(s) revoked.",
            )
            if result.warnings:
                return await _account_page(request, staff_id, warnings=result.warnings)
        elif action == "reactivate":
            await accounts.reactivate(service, actor, staff_id)
            auth.flash(request, f"{member.name} can sign in again.")
        else:
            temporary = await accounts.reset_password(service, actor, staff_id)
            return await _account_page(request, staff_id, temporary=temporary)
    except AccountError as exc:
        return await _account_page(
            request, staff_id, errors={exc.field or "staff_id": str(exc)}, status=422
        )
    return auth.redirect(f"/admin/accounts/{staff_id}")


@routes.post("/admin/accounts/{id:\\d+}/sessions/{session_id:\\d+}/end")
@auth.page
async def end_session(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    staff_id = _staff_id(request)
    session_id = int_or_none(request.match_info["session_id"]) or 0
    if session_id > 2**62:
        auth.not_found(request)
    if await accounts.end_session(request.app[SERVICE], f"staff:{viewer.id}", staff_id, session_id):
        auth.flash(request, "That session has ended: they must sign in again.")
    return auth.redirect(f"/admin/accounts/{staff_id}")


@routes.post("/admin/tokens")
@auth.page
async def create_token(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    form = _form(await request.post())
    staff_id = int_or_none(form.get("staff_id")) if form.get("staff_id") else None
    try:
        expires = None
        if form.get("expires_on"):
            try:
                expires = parse_instant(form["expires_on"] + "T00:00:00")
            except ValueError:
                raise AccountError("Enter the expiry date like 2027-03-31", "expires_on") from None
        token = await accounts.create_token(
            request.app[SERVICE],
            f"staff:{viewer.id}",
            form.get("name", ""),
            staff_id=staff_id,
            expires_at=expires,
        )
    except AccountError as exc:
        return await _accounts_page(
            request, errors={exc.field or "name": str(exc)}, form=form, status=422
        )
    return await _accounts_page(request, new_token=token)


@routes.post("/admin/tokens/{id:\\d+}/{action:revoke|expire}")
@auth.page
async def change_token(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    token_id = int_or_none(request.match_info["id"]) or 0
    service = request.app[SERVICE]
    actor = f"staff:{viewer.id}"
    form = _form(await request.post())
    if request.match_info["action"] == "revoke":
        if await accounts.revoke_token(service, actor, token_id):
            auth.flash(request, "The token no longer works.")
    else:
        try:
            at = parse_instant(form.get("expires_on", "") + "T00:00:00")
        except ValueError:
            return await _accounts_page(
                request,
                errors={f"expires_{token_id}": "Enter a date like 2027-03-31"},
                status=422,
            )
        if await accounts.expire_token(service, actor, token_id, at):
            auth.flash(request, f"The token stops working on {at.date().isoformat()}.")
    return auth.redirect("/admin/accounts#tokens")


# --- Your own password ----------------------------------------------------------------------


@routes.get(auth.PASSWORD_PAGE)
@auth.page
async def password_form(request: web.Request) -> web.StreamResponse:
    member = await auth.require_staff(request)
    return auth.render(request, "console/account_password.html", member=member, errors={})


@routes.post(auth.PASSWORD_PAGE)
@auth.page
async def change_password(request: web.Request) -> web.StreamResponse:
    member = await auth.require_staff(request)
    service = request.app[SERVICE]
    form = await request.post()
    current = str(form.get("current_password", ""))[:1000]
    new = str(form.get("new_password", ""))[:1000]
    errors: dict[str, str] = {}
    assert member.id is not None
    stored = await staff_store.password_hash(service.db, member.id)
    if not await auth.verify_in_thread(stored, current):
        errors["current_password"] = "Enter the password you signed in with"
    elif new != str(form.get("confirm_password", "")):
        errors["confirm_password"] = "The two new passwords are not the same"
    else:
        try:
            await accounts.change_own_password(
                service, member, new, await auth.current_session_id(request)
            )
        except AccountError as exc:
            errors["new_password"] = str(exc)
    if errors:
        return auth.render(
            request, "console/account_password.html", status=422, member=member, errors=errors
        )
    auth.flash(request, "Your password has been changed.")
    return auth.redirect(auth.HOME[member.role])
