/**
 * Business-hours schedules (stream `schedules`), written by the schedules API; `rules.schedules`
 * holds their current state. The schedule is in the shape of Zendesk's schedules API.
 */
export interface ScheduleBody {
  id: number;
  name: string;
  time_zone: string;
  /** Weekly minutes from Sunday 00:00, Zendesk's shape. */
  intervals: { start_time: number; end_time: number }[];
  holidays: { id: number; name: string; start_date: string; end_date: string }[];
}

export interface ScheduleCreatedV1 {
  schedule: ScheduleBody;
  createdAt: string;
}

export interface ScheduleUpdatedV1 {
  scheduleId: number;
  /** The whole schedule after the change. */
  schedule: ScheduleBody;
  /** The parts that changed (e.g. `workweek`, `holidays`). */
  changed: string[];
  updatedAt: string;
}

export interface ScheduleDeletedV1 {
  scheduleId: number;
  deletedAt: string;
}

export type ScheduleEvent =
  | { type: 'schedule.created'; data: ScheduleCreatedV1 }
  | { type: 'schedule.updated'; data: ScheduleUpdatedV1 }
  | { type: 'schedule.deleted'; data: ScheduleDeletedV1 };
