/**
 * Retention rules the payment systems follow because a standard says so; the
 * one place to change them.
 */

/**
 * PCI DSS v4.0.1 requirement 10.5.1: retain audit log history for at least
 * twelve months, at least the last three immediately available.
 */
export const PCI_AUDIT_LOG_RETENTION_DAYS = 365;

/** Of those, the days audit logs stay immediately available (before an archive class). */
export const PCI_AUDIT_LOG_ONLINE_DAYS = 90;
