"""Every model, imported in one place for Alembic and for tests that need the whole schema."""

from vib.accounts.models import ApiToken, Certificate, SecondFactor, SecurityPolicy, User, UserRole  # noqa: F401
from vib.cases.models import Case, CaseGoal, ConsentRecord  # noqa: F401
from vib.clips.models import Clip, UploadSession  # noqa: F401
from vib.coding.models import Moment  # noqa: F401
from vib.core.audit import AuditEvent  # noqa: F401
from vib.library.models import Collection, CollectionItem, Fragment  # noqa: F401
from vib.meetings.models import Meeting, MeetingItem  # noqa: F401
from vib.privacy.models import ClipTombstone, RetentionPolicy  # noqa: F401
from vib.schemes.models import CodeScheme  # noqa: F401
from vib.supervision.models import FeedbackItem, Notification, ReviewAnswer, ReviewRequest  # noqa: F401
