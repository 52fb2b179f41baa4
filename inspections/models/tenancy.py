"""Who belongs to which body, and what their role lets them do."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .reference import PolicingBody


class Role(models.TextChoices):
    EDITOR = "editor", _("Editor")
    APPROVER = "approver", _("Approver")
    ANALYST = "analyst", _("Analyst")
    CONTRIBUTOR = "contributor", _("Force contributor")


# Who may do what: the one home of the role rules. Everything else asks a membership.
EDITING_ROLES = frozenset({Role.EDITOR, Role.APPROVER})
APPROVING_ROLES = frozenset({Role.APPROVER})
# Who may own an assurance action: the office's editors and the force's contributors.
ACTION_OWNER_ROLES = frozenset({Role.EDITOR, Role.APPROVER, Role.CONTRIBUTOR})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def editors(self) -> MembershipQuerySet:
        """Members who may change records (the same rule as `Membership.can_edit`)."""
        return self.filter(role__in=EDITING_ROLES)

    def approvers(self) -> MembershipQuerySet:
        return self.filter(role__in=APPROVING_ROLES)

    def administrators(self) -> MembershipQuerySet:
        return self.filter(is_administrator=True)

    def action_owners(self) -> MembershipQuerySet:
        """Who may be made an action's owner (the same rule as `Membership.can_own_actions`)."""
        return self.filter(role__in=ACTION_OWNER_ROLES)

    def active(self) -> MembershipQuerySet:
        return self.filter(user__is_active=True)


class Membership(models.Model):
    """A user belongs to exactly one body. No membership, no access to any record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    body = models.ForeignKey(
        PolicingBody, on_delete=models.PROTECT, related_name="members", verbose_name=_("body")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_administrator = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("Invites people, sets their roles and reads the sign-in log."),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.body})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES

    @property
    def can_approve(self) -> bool:
        return self.role in APPROVING_ROLES

    @property
    def can_export(self) -> bool:
        # Every member of the office reads and exports; analysts do nothing else. Force
        # contributors see only their own actions.
        return self.role != Role.CONTRIBUTOR

    @property
    def can_administer(self) -> bool:
        return self.is_administrator

    @property
    def is_contributor(self) -> bool:
        """A force's own staff: they see only the actions they own (see `access`)."""
        return self.role == Role.CONTRIBUTOR

    @property
    def can_own_actions(self) -> bool:
        return self.role in ACTION_OWNER_ROLES

    @property
    def must_use_two_factor(self) -> bool:
        """Approvers and administrators always; everyone when their body asks it."""
        return self.can_approve or self.is_administrator or self.body.require_two_factor
