"""Console sign-in and the rules every console page follows.

Who is signed in lives on the server (bot/store/sessions.py): the encrypted cookie carries
only a random session id, the CSRF token and a one-line notice, so signing out, an
administrator ending a session, or deactivating an account ends it at once, and a session
ends a working day after sign-in however busy it is.

A console handler is wrapped in `@page`: it gets the encrypted session cookie, every
POST is refused with 403 unless it carries the session's CSRF token, and security headers
are set. Inside, `await require_roles(request, Role.X, ...)` returns the signed-in member of
staff, sends a visitor to the sign-in page, and answers anyone else with the same 404 as a
page that does not exist. `render(request, "x.html", ...)` adds `staff` and `csrf_token` to
the template; forms include `{% include "csrf.html" %}`.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import quote

from aiohttp import web
from aiohttp_session import Session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.core import signin
from bot.core.model import Role, Staff
from bot.passwords import hash_password, verify_password
from bot.runtime.service import Service
from bot.store import audit
from bot.store import console as console_store
from bot.store import sessions as sessions_store
from bot.store import staff as staff_store
from bot.web.keys import SERVICE
from bot.web.pages import render as render_template
from bot.web.throttle import THROTTLE

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "cradle_session"
CSRF_FIELD = "csrf_token"
TOUCH_EVERY = timedelta(minutes=1)  # how stale last_seen_at may get before it is written
PASSWORD_PAGE = "/account/password"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOCAL_PATH = re.compile(r"/[!-~]*")  # printable, no spaces or line breaks: never a header split

# Without CRADLE_SESSION_SECRET (the demo), sessions last as long as the process.
_PROCESS_SECRET = secrets.token_bytes(32)
_storages: dict[tuple[bytes, bool], EncryptedCookieStorage] = {}
_SESSION = web.RequestKey("cradle_session", Session)
_STAFF = web.RequestKey("cradle_staff", object)

HOME = {
    Role.PRACTITIONER: "/queue",
    Role.DUTY_CLINICIAN: "/escalations",
    Role.CLINICAL_LEAD: "/escalations",
    Role.ADMINISTRATOR: "/admin",
}
CLINICAL = (Role.PRACTITIONER, Role.DUTY_CLINICIAN, Role.CLINICAL_LEAD)
ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner",
    Role.DUTY_CLINICIAN: "Duty clinician",
    Role.CLINICAL_LEAD: "Clinical lead",
    Role.ADMINISTRATOR: "Administrator",
}
# The header menu for each role: (label, path). Console areas add their pages here.
NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.PRACTITIONER: [("Your queue", "/queue"), ("Cover", "/cover")],
    Role.DUTY_CLINICIAN: [
        ("Escalations", "/escalations"),
        ("Your queue", "/queue"),
        ("Cover", "/cover"),
    ],
    Role.CLINICAL_LEAD: [
        ("Escalations", "/escalations"),
        ("Your queue", "/queue"),
        ("Cover", "/cover"),
    ],
    Role.ADMINISTRATOR: [
        ("Overview", "/admin"),
        ("Families", "/admin/families"),
        ("Waiting", "/admin/queue"),
        ("Appointments", "/admin/appointments"),
        ("Letters", "/admin/letters"),
        ("Message wording", "/admin/templates"),
        ("Delivery failures", "/admin/failures"),
        ("Reports", "/admin/reports"),
        ("Audit log", "/admin/audit"),
        ("Accounts", "/admin/accounts"),
        ("Cover", "/cover"),
    ],
}


def role_label(role: Role | str) -> str:
    return ROLE_LABELS.get(Role(role), str(role))


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
        " form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _storage(service: Service) -> EncryptedCookieStorage:
    configured = service.settings.session_secret
    # Any passphrase will do: it is stretched to the 32 bytes Fernet wants.
    key = hashlib.sha256(configured.encode()).digest() if configured else _PROCESS_SECRET
    secure = service.settings.public_url.startswith("https://")
    if (key, secure) not in _storages:
        _storages[(key, secure)] = EncryptedCookieStorage(
            key,
            cookie_name=SESSION_COOKIE,
            max_age=int(signin.SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=secure,
        )
    return _storages[(key, secure)]


def session(request: web.Request) -> Session:
    """The request's session (only inside a handler wrapped in `@page`)."""
    return request[_SESSION]


def page(handler: Handler) -> Handler:
    """Session, CSRF check on every POST, security headers: wrap every console handler in this."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        storage = _storage(request.app[SERVICE])
        request[_SESSION] = await storage.load_session(request)
        try:
            if request.method not in SAFE_METHODS:
                await check_csrf(request)
            response = await handler(request)
        except web.HTTPException as exc:
            await _finish(request, storage, exc)
            raise
        await _finish(request, storage, response)
        return response

    return wrapped


async def _finish(
    request: web.Request, storage: EncryptedCookieStorage, response: web.StreamResponse
) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    current = request[_SESSION]
    if current.new and current.empty:
        return
    await storage.save_session(request, response, current)


# --- CSRF --------------------------------------------------------------------------------------


def csrf_token(request: web.Request) -> str:
    """The session's CSRF token, made on first use."""
    current = session(request)
    token = current.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        current["csrf"] = token
    return token


async def check_csrf(request: web.Request) -> None:
    """403 unless the form carries this session's CSRF token."""
    await current_staff(request)  # for the header of the refusal page
    expected = session(request).get("csrf")
    form = await request.post()
    given = form.get(CSRF_FIELD)
    if (
        not isinstance(expected, str)
        or not isinstance(given, str)
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise web.HTTPForbidden(
            text=_page_html(
                request,
                "error.html",
                heading="This form has expired",
                message="Go back, reload the page and try again.",
            ),
            content_type="text/html",
        )


# --- Who is signed in -------------------------------------------------------------------------


async def current_staff(request: web.Request) -> Staff | None:
    """The signed-in, still active member of staff, or None.

    The cookie's session id must name a session on the server that has not been ended,
    is within its absolute lifetime and has not been idle too long, by the service clock.
    """
    if _STAFF in request:
        return request[_STAFF]  # type: ignore[return-value]
    service = request.app[SERVICE]
    cookie = session(request)
    token = cookie.get("sid")
    member = None
    if isinstance(token, str):
        found = await sessions_store.by_token(service.db, token)
        now = service.now()
        state = signin.session_state(found.times, now) if found else signin.SessionState.ENDED
        if found is not None and state is signin.SessionState.LIVE:
            member = await staff_store.get(service.db, found.staff_id)
            if member is not None and not member.active:
                member = None
        if member is None:
            cookie.pop("sid", None)
            lapsed = state in (signin.SessionState.IDLE, signin.SessionState.EXPIRED)
            if found is not None and lapsed:
                async with service.db.transaction() as conn:
                    await sessions_store.end(conn, found.id, now, state.value)
        elif found is not None and now - found.times.last_seen_at >= TOUCH_EVERY:
            async with service.db.transaction() as conn:
                await sessions_store.touch(conn, found.id, now)
    request[_STAFF] = member
    return member


async def require_staff(request: web.Request) -> Staff:
    """The signed-in member of staff; a visitor is sent to sign in and brought back.

    Someone whose password was set by an administrator goes to choose their own first.
    """
    member = await current_staff(request)
    if member is None:
        target = request.path_qs if request.method in SAFE_METHODS else "/"
        raise web.HTTPSeeOther(f"/login?next={quote(target, safe='/')}")
    if member.must_change_password and request.path not in (PASSWORD_PAGE, "/logout"):
        raise web.HTTPSeeOther(PASSWORD_PAGE)
    return member


async def require_roles(request: web.Request, *roles: Role) -> Staff:
    """The signed-in member of staff if they hold one of these roles, else the plain 404."""
    member = await require_staff(request)
    if member.role not in roles:
        not_found(request)
    return member


def not_found(request: web.Request) -> NoReturn:
    """The one 404 for what does not exist and what is not yours to see."""
    raise web.HTTPNotFound(
        text=_page_html(
            request,
            "error.html",
            heading="Page not found",
            message="If you typed the web address, check it is correct.",
        ),
        content_type="text/html",
    )


# --- Rendering ------------------------------------------------------------------------------


def _page_html(request: web.Request, template: str, **context: Any) -> str:
    staff = request.get(_STAFF)
    full = {
        "staff": staff,
        "nav": NAVIGATION.get(staff.role, []) if isinstance(staff, Staff) else [],
        "role_label": role_label,
        "csrf_token": csrf_token(request),
        "path": request.path,
        "flash": session(request).pop("flash", None),
        **context,
    }
    response = render_template(template, **full)
    assert response.text is not None
    return response.text


async def audit_read(
    request: web.Request,
    action: str,
    subject_type: str = "",
    subject_id: int | None = None,
    **detail: Any,
) -> None:
    """Record that the signed-in person looked at personal data (who, what, when; never what)."""
    member = request.get(_STAFF)
    actor = f"staff:{member.id}" if isinstance(member, Staff) else "unknown"
    service = request.app[SERVICE]
    async with service.db.transaction() as conn:
        await audit.record(conn, service.now(), actor, action, subject_type, subject_id, **detail)


def flash(request: web.Request, message: str) -> None:
    """A one-line confirmation shown on the next page this person sees."""
    session(request)["flash"] = message


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A console page, with the signed-in member of staff and the CSRF token in its context."""
    return web.Response(
        text=_page_html(request, template, **context),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )


def redirect(location: str) -> web.Response:
    """303 See Other: after a POST, the browser fetches the next page with GET."""
    return web.Response(status=303, headers={"Location": location})


def safe_next(target: str | None, member: Staff) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if target and _LOCAL_PATH.fullmatch(target) and not target.startswith(("//", "/\\")):
        return target
    return HOME[member.role]


# --- Signing in and out -------------------------------------------------------------------

routes = web.RouteTableDef()
_dummy_hash: str | None = None


def _compare_against_nothing(password: str) -> bool:
    """Spend the time a real check takes, so a missing account is not told apart by timing."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(16))
    verify_password(_dummy_hash, password)
    return False


async def verify_in_thread(stored_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, stored_hash, password)


async def current_session_id(request: web.Request) -> int | None:
    token = session(request).get("sid")
    if not isinstance(token, str):
        return None
    found = await sessions_store.by_token(request.app[SERVICE].db, token)
    return found.id if found else None


async def authenticate(service: Service, email: str, password: str) -> Staff | None:
    found = await staff_store.by_email(service.db, email) if email else None
    if found is None:
        await asyncio.to_thread(_compare_against_nothing, password)
        return None
    member, stored_hash = found
    ok = await asyncio.to_thread(verify_password, stored_hash, password)
    return member if ok and member.active else None


def request_address(request: web.Request) -> str:
    """The client's address: X-Forwarded-For only from a configured trusted proxy."""
    settings = request.app[SERVICE].settings
    trusted = signin.parse_networks(settings.trusted_proxies or "")
    return signin.client_address(request.remote, request.headers.get("X-Forwarded-For"), trusted)


async def count_attempt(service: Service, email: str, address: str) -> tuple[int, int]:
    """Count this attempt for the account and the address before any password is checked."""
    now = service.now()
    since = now - signin.ATTEMPT_WINDOW
    async with service.db.transaction() as conn:
        by_account = await sessions_store.count_attempt(
            conn, sessions_store.account_key(email), now, since
        )
        by_address = await sessions_store.count_attempt(
            conn, sessions_store.address_key(address), now, since
        )
    return by_account, by_address


@routes.get("/login")
@page
async def login_form(request: web.Request) -> web.StreamResponse:
    member = await current_staff(request)
    if member is not None:
        return redirect(safe_next(request.query.get("next"), member))
    return render(
        request,
        "login.html",
        next=request.query.get("next", ""),
        email="",
        error=None,
        signed_out="signed_out" in request.query,
    )


@routes.post("/login")
@page
async def login(request: web.Request) -> web.StreamResponse:
    service = request.app[SERVICE]
    form = await request.post()
    email = str(form.get("email", "")).strip()[:200]
    password = str(form.get("password", ""))[:1000]
    target = str(form.get("next", ""))
    address = request_address(request)

    def again(error: str, status: int) -> web.Response:
        return render(
            request,
            "login.html",
            status=status,
            next=target,
            email=email,
            error=error,
            signed_out=False,
        )

    by_account, by_address = await count_attempt(service, email, address)
    # A guessing address is slowed down, never refused, and locks nobody's account.
    await request.app[THROTTLE].wait_turn(address, by_address)
    if signin.account_locked(by_account):
        async with service.db.transaction() as conn:
            await console_store.record_login_attempt(conn, service.now(), email, address, False)
        return again(
            "There have been too many attempts to sign in to this account. Wait 15 minutes"
            " and try again, or ask an administrator to reset your password.",
            429,
        )
    member = await authenticate(service, email, password)
    now = service.now()
    async with service.db.transaction() as conn:
        await console_store.record_login_attempt(conn, now, email, address, member is not None)
        if member is not None:
            assert member.id is not None
            await sessions_store.clear_attempts(conn, sessions_store.account_key(email))
            await sessions_store.forgive_attempt(conn, sessions_store.address_key(address))
            token, session_id = await sessions_store.start(
                conn,
                member.id,
                now,
                signin.session_expiry(now),
                address,
                request.headers.get("User-Agent", ""),
            )
            await audit.record(
                conn,
                now,
                f"staff:{member.id}",
                "signed_in",
                "staff",
                member.id,
                session_id=session_id,
            )
    if member is None:
        return again("Enter the email address and password of your Cradle account.", 200)
    fresh = await _storage(service).new_session()  # a new session: never reuse one from before
    fresh["sid"] = token
    request[_SESSION] = fresh
    request[_STAFF] = member
    if member.must_change_password:
        return redirect(PASSWORD_PAGE)
    return redirect(safe_next(target, member))


@routes.post("/logout")
@page
async def logout(request: web.Request) -> web.StreamResponse:
    service = request.app[SERVICE]
    member = await current_staff(request)
    token = session(request).get("sid")
    if member is not None and isinstance(token, str):
        found = await sessions_store.by_token(service.db, token)
        now = service.now()
        async with service.db.transaction() as conn:
            if found is not None:
                await sessions_store.end(conn, found.id, now, "signed_out")
            await audit.record(conn, now, f"staff:{member.id}", "signed_out", "staff", member.id)
    session(request).invalidate()
    request[_STAFF] = None
    return redirect("/login?signed_out")
