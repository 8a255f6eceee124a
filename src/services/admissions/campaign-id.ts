// What a campaign id looks like (ts10-2026): checked wherever an id arrives from outside, before any read or cache.
export const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{1,48}$/;
