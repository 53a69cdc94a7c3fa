// When a seller is paid: pure date arithmetic in UTC, shared by the daily tick and the seller page.
export type Schedule = "MONTHLY" | "WEEKLY" | "DAILY" | "MANUAL";

export interface ScheduleSettings {
  schedule: Schedule;
  dayOfMonth: number;
  dayOfWeek: number;
}

/** The hour (UTC) of the daily tick that creates scheduled payout runs. */
export const DAILY_TICK_HOUR_UTC = 6;

export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** Whether the daily tick of this (UTC) day pays the seller. MANUAL is never due. */
export function isDueOn(settings: ScheduleSettings, day: Date): boolean {
  switch (settings.schedule) {
    case "DAILY":
      return true;
    case "WEEKLY":
      return day.getUTCDay() === settings.dayOfWeek;
    case "MONTHLY":
      return day.getUTCDate() === settings.dayOfMonth;
    case "MANUAL":
      return false;
  }
}

/** The moment of the next daily tick that pays this seller, or null for MANUAL. */
export function nextPayoutDate(settings: ScheduleSettings, now: Date): Date | null {
  if (settings.schedule === "MANUAL") return null;
  let day = startOfUtcDay(now);
  const todayTick = new Date(day.getTime() + DAILY_TICK_HOUR_UTC * 3_600_000);
  if (now >= todayTick) day = new Date(day.getTime() + 86_400_000);
  for (let i = 0; i < 62; i++) {
    if (isDueOn(settings, day)) return new Date(day.getTime() + DAILY_TICK_HOUR_UTC * 3_600_000);
    day = new Date(day.getTime() + 86_400_000);
  }
  return null;
}
