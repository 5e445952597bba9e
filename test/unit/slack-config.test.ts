import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startSlackBot } from '../../bots/slack/app.js';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import type { HubDeps } from '../../hub/context.js';
import type { AccountOpeningService } from '../../hub/account-opening.js';
import type { OnboardingService } from '../../hub/client-onboarding.js';
import type { RebalancingService } from '../../hub/rebalancing.js';

const BOT = 'xoxb-1-2-abc';
const APP = 'xapp-1-A1-abc';

describe('Slack configuration', () => {
  it('runs without Slack when no Slack credential is set', () => {
    expect(loadConfig({}).slackMode).toBeNull();
    expect(loadConfig({ SLACK_COMPLIANCE_CHANNEL: 'C0123ABCD' }).slackMode).toBeNull();
  });

  it('implies the mode from the credential given, and SLACK_MODE chooses when both are', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 's' }).slackMode).toBe('http');
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }).slackMode).toBe('socket');
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: 's' }).slackMode).toBe(
      'socket',
    );
    expect(
      loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: 's', SLACK_MODE: 'http' })
        .slackMode,
    ).toBe('http');
  });

  it('names what is missing or malformed, one line', () => {
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ SLACK_BOT_TOKEN: BOT })).toBe(
      'invalid configuration: SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)',
    );
    expect(refused({ SLACK_SIGNING_SECRET: 's' })).toBe(
      'invalid configuration: SLACK_BOT_TOKEN (xoxb-…) is required when SLACK_SIGNING_SECRET, SLACK_APP_TOKEN or SLACK_MODE is set',
    );
    expect(refused({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 's', SLACK_MODE: 'socket' })).toBe(
      'invalid configuration: SLACK_APP_TOKEN (xapp-…) is required when SLACK_MODE=socket',
    );
    expect(refused({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_MODE: 'http' })).toBe(
      'invalid configuration: SLACK_SIGNING_SECRET is required when SLACK_MODE=http',
    );
    expect(refused({ SLACK_BOT_TOKEN: 'xapp-wrong', SLACK_SIGNING_SECRET: 's' })).toBe(
      'invalid configuration: SLACK_BOT_TOKEN="xapp-wrong": a bot token starts with xoxb-',
    );
    expect(refused({ SLACK_MANAGERS_CHANNEL: '#managers' })).toBe(
      'invalid configuration: SLACK_MANAGERS_CHANNEL="#managers": a Slack channel id such as C0123ABCD (in Slack: channel details, at the bottom)',
    );
  });

  it('says once at start that the bot is disabled, and starts nothing', async () => {
    const lines: { msg: string; component?: string }[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const deps = { config: loadConfig({}), log } as Pick<HubDeps, 'config' | 'log'> as HubDeps;
    expect(
      await startSlackBot(deps, {
        accountOpening: {} as AccountOpeningService,
        rebalancing: {} as RebalancingService,
        onboarding: {} as OnboardingService,
      }),
    ).toBeNull();
    expect(lines.map((l) => [l.component, l.msg])).toEqual([
      [
        'slack',
        'Slack bot disabled: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) to enable it',
      ],
    ]);
  });
});
