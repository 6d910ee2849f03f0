import { EventStore1764050400001 } from './migrations/0001-event-store';
import { Ingest1764050400002 } from './migrations/0002-ingest';
import { Ticket1764050400003 } from './migrations/0003-ticket';
import { Consumers1764050400004 } from './migrations/0004-rules-scheduler-notifier';
import { SuspendedTickets1764050400005 } from './migrations/0005-suspended-tickets';
import { LoopProtection1764050400006 } from './migrations/0006-loop-protection';
import { RecipientAddresses1764050400008 } from './migrations/0008-recipient-addresses';
import { PeopleAndAccount1764050400010 } from './migrations/0010-people-and-account';
import { TriggersApi1764050400011 } from './migrations/0011-triggers-api';
import { Webhooks1764050400012 } from './migrations/0012-webhooks';
import { SchedulesAndNames1764050400013 } from './migrations/0013-schedules-and-names';
import { RulesStaffIndex1764050400014 } from './migrations/0014-rules-staff-index';
import { UserReadModelVersion1764050400015 } from './migrations/0015-user-read-model-version';
import { RulesDefaultMembers1764050400016 } from './migrations/0016-rules-default-members';
import { ApiTokensAndAuthLimits1764050400017 } from './migrations/0017-api-tokens-and-auth-limits';
import { RawMailHelo1764050400018 } from './migrations/0018-raw-mail-helo';
import { TicketMailCounters1764050400019 } from './migrations/0019-ticket-mail-counters';
import { BodyReferenceFailures1764050400020 } from './migrations/0020-body-reference-failures';
import { SchedulerAutomations1764050400021 } from './migrations/0021-scheduler-automations';
import { SchedulerAutomationTickets1764050400023 } from './migrations/0023-scheduler-automation-tickets';
import { CompactTriggerExplanations1764050400024 } from './migrations/0024-compact-trigger-explanations';
import { TicketSatisfactionRatings1764050400022 } from './migrations/0022-ticket-satisfaction-ratings';

/** Every migration, in order. One command applies them: `npm run migrate`. */
export const MIGRATIONS = [EventStore1764050400001, Ingest1764050400002, Ticket1764050400003, Consumers1764050400004, SuspendedTickets1764050400005, LoopProtection1764050400006, RecipientAddresses1764050400008, PeopleAndAccount1764050400010, TriggersApi1764050400011, Webhooks1764050400012, SchedulesAndNames1764050400013, RulesStaffIndex1764050400014, UserReadModelVersion1764050400015, RulesDefaultMembers1764050400016, ApiTokensAndAuthLimits1764050400017, RawMailHelo1764050400018, TicketMailCounters1764050400019, BodyReferenceFailures1764050400020, SchedulerAutomations1764050400021, TicketSatisfactionRatings1764050400022, SchedulerAutomationTickets1764050400023, CompactTriggerExplanations1764050400024];
