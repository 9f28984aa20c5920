"""Infrastructure shared by every feature: settings, database, storage, jobs, access, i18n."""
