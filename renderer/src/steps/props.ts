import type { AssistantApi, MethodInput } from '../../../main/contract';
import type { AppInfo, LoginResult, Profile, Region, StepId } from '../types';

export type ProfileDraft = MethodInput<'saveProfile'>;

/** What every step receives from the wizard. */
export interface StepProps {
  api: AssistantApi;
  info: AppInfo;
  regions: Region[];
  profile: Profile;
  /** Saves the changes (autosave: a half-finished setup resumes) and moves to `step`. */
  advance(step: StepId, changes?: Omit<ProfileDraft, 'name'> & { name?: string }): Promise<void>;
  session: {
    password: string;
    setPassword(value: string): void;
    rememberPassword: boolean;
    setRememberPassword(value: boolean): void;
    loginResult: LoginResult | null;
    setLoginResult(value: LoginResult | null): void;
    /** Certificate path: typed once, kept in memory for this session only. */
    keystorePassword: string;
    setKeystorePassword(value: string): void;
  };
}
