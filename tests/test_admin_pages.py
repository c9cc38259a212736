"""Admin pages: users and roles, policies, the audit log, and who may open them."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.models import AuditEntry, Setting, User
from eventsys.services import audit, policies
from tests.conftest import PASSWORD


@pytest.fixture
def admin(client_as):
    return client_as("admin")


ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/policies", "/admin/audit", "/admin/users/1"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["reader", "volunteer", "staff"])
def test_everyone_but_admins_gets_403_on_admin_pages(client_as, role, path):
    client = client_as(role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_log_in_from_admin_pages(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_staff_cannot_change_roles_by_posting(client_as, make_user):
    reader = make_user()
    staff = client_as("staff")
    response = staff.post(f"/admin/users/{reader.id}", data={"role": "admin", "active": "y"})
    assert response.status_code == 403
    assert db.session.get(User, reader.id).role == "reader"


def test_admin_index_links_to_every_admin_page(admin):
    page = admin.get("/admin/").text
    for path in ("/admin/users", "/admin/policies", "/admin/audit"):
        assert path in page


@pytest.mark.parametrize(
    "query, found",
    [
        ("q=张", "张三"),
        ("q=ZHANG%40example", "张三"),
        ("q=SZ000123", "张三"),
        ("q=13912", "张三"),
        ("role=staff", "馆员甲"),
    ],
)
def test_user_list_searches_name_email_card_phone_and_filters_by_role(
    admin, make_user, query, found
):
    make_user(
        display_name="张三", email="zhang@example.org", card_number="SZ000123", phone="13912345678"
    )
    make_user("staff", display_name="馆员甲")
    make_user(display_name="李四")
    page = admin.get(f"/admin/users?{query}").text
    assert found in page
    assert "李四" not in page


def test_user_search_treats_wildcards_literally(admin, make_user):
    make_user(display_name="李四")
    assert "李四" not in admin.get("/admin/users?q=%25").text


def test_user_list_is_paginated(admin, make_user):
    for n in range(55):
        db.session.add(
            User(email=f"r{n}@example.org", display_name=f"Reader {n:02d}", password_hash="!")
        )
    db.session.commit()
    first = admin.get("/admin/users").text
    assert "Page 1 of 2" in first and "Reader 54" in first and "Reader 00" not in first
    second = admin.get("/admin/users?page=2").text
    assert "Reader 00" in second
    assert admin.get("/admin/users?page=99").status_code == 200


def test_user_list_ignores_an_unknown_role_filter(admin, make_user):
    make_user(display_name="李四")
    response = admin.get("/admin/users?role=emperor")
    assert response.status_code == 200
    assert "李四" in response.text


def test_admin_changes_role_and_active_flag_and_it_is_audited(admin, make_user):
    reader = make_user()
    response = admin.post(f"/admin/users/{reader.id}", data={"role": "staff", "active": "y"})
    assert response.status_code == 302
    assert db.session.get(User, reader.id).role == "staff"
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "user.update")
    ).one()
    assert entry.actor_id == admin.user.id and entry.entity_id == reader.id
    assert entry.before == {"role": "reader"} and entry.after == {"role": "staff"}


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, admin, make_user, login):
    reader = make_user()
    reader_client = login(app.test_client(), reader)
    admin.post(f"/admin/users/{reader.id}", data={"role": "reader"})  # active unticked
    assert not db.session.get(User, reader.id).active
    assert reader_client.get("/auth/account").status_code == 302
    response = app.test_client().post(
        "/auth/login", data={"email": reader.email, "password": PASSWORD}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data, message",
    [
        ({"role": "staff", "active": "y"}, "You cannot take away your own admin rights."),
        ({"role": "admin"}, "You cannot deactivate your own account."),
    ],
)
def test_admin_cannot_demote_or_deactivate_themself(admin, data, message):
    response = admin.post(f"/admin/users/{admin.user.id}", data=data)
    assert response.status_code == 200
    assert message in response.text
    me = db.session.get(User, admin.user.id)
    assert me.role == "admin" and me.active
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


def test_unknown_role_is_a_form_error(admin, make_user):
    reader = make_user()
    response = admin.post(f"/admin/users/{reader.id}", data={"role": "emperor", "active": "y"})
    assert response.status_code == 200
    assert "Choose a role from the list." in response.text
    assert db.session.get(User, reader.id).role == "reader"


def test_unknown_user_id_is_404(admin):
    assert admin.get("/admin/users/9999").status_code == 404
    assert admin.post("/admin/users/9999", data={"role": "reader"}).status_code == 404


def test_policies_page_shows_the_defaults(admin):
    page = admin.get("/admin/policies").text
    for policy in policies.POLICIES.values():
        assert f'name="{policy.key}"' in page
        assert f'value="{policy.default}"' in page


def _policy_data(**changes) -> dict:
    return {**{key: str(p.default) for key, p in policies.POLICIES.items()}, **changes}


def test_admin_changes_a_policy_and_it_is_audited(admin):
    response = admin.post("/admin/policies", data=_policy_data(noshow_count="5"))
    assert response.status_code == 302
    assert policies.get("noshow_count") == 5
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "policies.update")
    ).one()
    assert entry.before == {"noshow_count": 3} and entry.after == {"noshow_count": 5}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"noshow_count": "0"}, "Enter a number from 1 to 50."),
        ({"noshow_count": "51"}, "Enter a number from 1 to 50."),
        ({"volunteer_max_hours_per_day": "-1"}, "Enter a number from 0 to 24."),
        ({"noshow_window_days": "soon"}, 'class="error"'),
        ({"noshow_window_days": ""}, "Enter a whole number."),
    ],
)
def test_policy_out_of_range_is_a_form_error_and_nothing_is_saved(admin, changes, message):
    response = admin.post("/admin/policies", data=_policy_data(noshow_suspend_days="7", **changes))
    assert response.status_code == 200
    assert message in response.text
    assert db.session.scalars(sa.select(Setting)).all() == []
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


def test_policy_service_refuses_out_of_range_values_without_saving_any(app):
    with pytest.raises(ValueError):
        policies.update(None, {"noshow_suspend_days": 7, "noshow_count": 999})
    assert db.session.scalars(sa.select(Setting)).all() == []


def test_audit_log_is_newest_first_and_filters_by_entity(admin, make_user, make_venue):
    reader = make_user()
    venue = make_venue()
    audit.record(admin.user, "venue.update", venue, {"capacity": 1}, {"capacity": 2})
    db.session.commit()
    audit.record(admin.user, "user.update", reader, {"role": "reader"}, {"role": "staff"})
    db.session.commit()

    page = admin.get("/admin/audit").text
    assert page.index("user.update") < page.index("venue.update")
    filtered = admin.get("/admin/audit?entity=venues").text
    assert "venue.update" in filtered and "user.update" not in filtered
    assert admin.get("/admin/audit?entity=nonsense").status_code == 200


def test_audit_log_is_paginated(admin, make_venue):
    venue = make_venue()
    for n in range(60):
        audit.record(admin.user, f"venue.test{n}", venue, None, {"n": n})
    db.session.commit()
    first = admin.get("/admin/audit").text
    assert "Page 1 of 2" in first and "venue.test59" in first and "venue.test0<" not in first
    assert "venue.test0<" in admin.get("/admin/audit?page=2").text
