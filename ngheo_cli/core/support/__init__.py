"""The support core, split by job: ``vocabulary`` (kinds, units, columns, dates), ``ledger``
(reading and checking records), ``commitments`` (members' yearly commitments) and ``summaries``
(tables and the outcome comparison). Pure: no file I/O, no printing. The names below are the
package's public surface, used as ``support.X`` by the services and the writers."""

from ngheo_cli.core.support.commitments import (  # noqa: F401
    COMMITMENT_COLUMNS,
    DEFAULT_LABOUR_DAYS,
    DEFAULT_SALARY_DAY,
    DEFAULT_SEEDLINGS,
    ROUTE_LABELS,
    SETTING_KEYS,
    CommitmentRules,
    SettingsError,
    check_commitments,
    commitment_rules,
    member_contributions,
)
from ngheo_cli.core.support.ledger import (  # noqa: F401
    giver_key,
    prepare_support,
    record_key,
    records_frame,
)
from ngheo_cli.core.support.summaries import (  # noqa: F401
    HOUSEHOLD_COLUMNS,
    OUTCOME_CAUTION,
    OUTCOME_GROUPS,
    class_label,
    describe_item,
    giver_kind_table,
    giver_names,
    household_support,
    outcome_comparison,
    outcome_sentence,
    village_kind_table,
)
from ngheo_cli.core.support.vocabulary import (  # noqa: F401
    GIVER_KINDS,
    KIND_BY_CODE,
    KIND_LABELS,
    KINDS,
    POOR_OR_NEAR,
    RECORD_COLUMNS,
    SUPPORT_FIELD_BY_KEY,
    SUPPORT_FIELDS,
    SUPPORT_REQUIRED,
    UNIT_BY_CODE,
    UNITS,
    SupportKind,
    Unit,
    date_value,
    giver_kind_code,
    kind_code,
    show_date,
    unit_code,
    units_text,
)
