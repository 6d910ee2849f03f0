import { Body, Controller, Get, Put, Req, UseGuards } from '@nestjs/common';
import { currentAccountSettings, AccountSettingsStore } from '../account/account-settings-store';
import { settingsErrorBody, toZendeskAccountSettings } from '../account/account-settings';
import { ApiError, AuthGuard, DbHandle, requireAdmin, requireAgent } from '@mailroom/http';
import type { AuthedRequest } from './authenticator';

/** GET/PUT /api/v2/account/settings: agents read, admins change (Zendesk's rule). */
@Controller('api/v2/account')
@UseGuards(AuthGuard)
export class AccountSettingsController {
  constructor(
    private readonly handle: DbHandle,
    private readonly settings: AccountSettingsStore,
  ) {}

  @Get('settings')
  async show(@Req() req: AuthedRequest) {
    requireAgent(req.user);
    return toZendeskAccountSettings(await currentAccountSettings(this.handle.db));
  }

  @Put('settings')
  async update(@Req() req: AuthedRequest, @Body() body: unknown) {
    const admin = requireAdmin(req.user);
    const result = await this.handle.db.transaction((tx) => this.settings.change(tx, body, { userId: admin.id, role: admin.role }, new Date().toISOString()));
    if (!result.ok) throw new ApiError(422, settingsErrorBody(result.errors));
    return toZendeskAccountSettings(result.settings);
  }
}
