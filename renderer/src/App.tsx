import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AssistantApi } from '../../main/contract';
import { ApiError } from './api';
import { Notice, Progress } from './components/Notice';
import { Stepper } from './components/Stepper';
import { StartPage } from './StartPage';
import { AccountStep } from './steps/AccountStep';
import { CertificateRequestStep } from './steps/CertificateRequestStep';
import { CredentialsStep } from './steps/CredentialsStep';
import { DoneStep } from './steps/DoneStep';
import { ExportStep } from './steps/ExportStep';
import { ImportStep } from './steps/ImportStep';
import { LoginStep } from './steps/LoginStep';
import { MethodStep } from './steps/MethodStep';
import { OAuthStep } from './steps/OAuthStep';
import type { ProfileDraft, StepProps } from './steps/props';
import { TargetStep } from './steps/TargetStep';
import { ThemeSwitch, applyTheme } from './ThemeSwitch';
import { stepIndex, stepsFor, type AppInfo, type ExportWritten, type LoginResult, type PublicSettings, type Region, type StepId } from './types';

type View = { kind: 'start' } | { kind: 'new' } | { kind: 'wizard'; step: StepId };

export function App({ api }: { api: AssistantApi }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [regions, setRegions] = useState<Region[]>([]);
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [view, setView] = useState<View>({ kind: 'start' });
  // Secrets live in memory only, for this session.
  const [password, setPassword] = useState('');
  const [rememberPassword, setRememberPassword] = useState(false);
  const [loginResult, setLoginResult] = useState<LoginResult | null>(null);
  const [keystorePassword, setKeystorePassword] = useState('');
  const [written, setWritten] = useState<ExportWritten | null>(null);

  useEffect(() => {
    Promise.all([api.appInfo({}), api.listRegions({}), api.getSettings({})])
      .then(([appInfo, regionList, current]) => {
        setInfo(appInfo);
        setRegions(regionList.regions);
        setSettings(current);
        applyTheme(current.theme);
      })
      .catch((error: unknown) => setLoadError(error instanceof ApiError ? error.message : String(error)));
  }, [api]);

  const profile = settings?.profiles.find((p) => p.id === settings.activeProfileId) ?? null;

  const forgetSession = () => {
    setPassword('');
    setKeystorePassword('');
    setLoginResult(null);
    setWritten(null);
  };

  const saveDraft = useCallback(
    async (draft: ProfileDraft) => {
      const next = await api.saveProfile(draft);
      setSettings(next);
      if (draft.step) setView({ kind: 'wizard', step: draft.step });
    },
    [api],
  );

  const advance = useCallback<StepProps['advance']>(
    async (step, changes = {}) => {
      if (!profile) return;
      await saveDraft({ ...changes, id: profile.id, name: changes.name ?? profile.name, step: furthestOf(profile.step, step) });
      setView({ kind: 'wizard', step });
    },
    [profile, saveDraft],
  );

  const session = useMemo(
    () => ({ password, setPassword, rememberPassword, setRememberPassword, loginResult, setLoginResult, keystorePassword, setKeystorePassword }),
    [password, rememberPassword, loginResult, keystorePassword],
  );

  if (loadError) return <Notice kind="error" title="The assistant could not start">{loadError}</Notice>;
  if (!info || !settings) return <Progress label="Loading…" />;

  const goHome = async () => {
    forgetSession();
    setSettings(await api.selectProfile({ id: null }));
    setView({ kind: 'start' });
  };
  const resume = async (id: string, step?: StepId) => {
    forgetSession();
    const next = await api.selectProfile({ id });
    setSettings(next);
    const resumed = next.profiles.find((p) => p.id === id);
    setView({ kind: 'wizard', step: step ?? resumed?.step ?? 'account' });
  };
  const changeTheme = async (theme: PublicSettings['theme']) => {
    applyTheme(theme);
    setSettings(await api.setTheme({ theme }));
  };

  const inWizard = view.kind === 'wizard' && profile;
  const current: StepId = view.kind === 'wizard' ? view.step : 'account';
  const stepProps: StepProps | null = profile ? { api, info, regions, profile, advance, session } : null;

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <img src="./icon.svg" alt="" width={32} height={32} />
          <h1>Anaplan Connect Setup Assistant</h1>
        </div>
        <div className="header-tools">
          {(inWizard || view.kind === 'new') && (
            <button type="button" onClick={goHome} title="Your progress is saved; resume from the start page">
              Save and exit
            </button>
          )}
          <ThemeSwitch theme={settings.theme} onChange={changeTheme} />
        </div>
      </header>
      <div className="layout">
        {(inWizard || view.kind === 'new') && <Stepper steps={stepsFor(profile?.authMethod ?? null)} current={current} furthest={profile && view.kind === 'wizard' ? furthestOf(profile.step, current) : 'account'} onGo={(step) => setView({ kind: 'wizard', step })} />}
        <main className="content">
          {view.kind === 'start' && (
            <StartPage
              api={api}
              info={info}
              profiles={settings.profiles}
              onResume={(id) => resume(id)}
              onRenew={(id) => resume(id, 'credentials')}
              onNew={async () => {
                forgetSession();
                setSettings(await api.selectProfile({ id: null }));
                setView({ kind: 'new' });
              }}
              onDelete={async (id) => setSettings(await api.deleteProfile({ id }))}
            />
          )}
          {view.kind === 'new' && <AccountStep profile={null} info={info} regions={regions} onSave={saveDraft} />}
          {inWizard && stepProps && renderStep(current, stepProps, saveDraft, written, setWritten, goHome)}
        </main>
      </div>
    </div>
  );
}

function renderStep(
  step: StepId,
  props: StepProps,
  saveDraft: (draft: ProfileDraft) => Promise<void>,
  written: ExportWritten | null,
  setWritten: (value: ExportWritten) => void,
  goHome: () => void,
) {
  switch (step) {
    case 'account':
      return <AccountStep profile={props.profile} info={props.info} regions={props.regions} onSave={saveDraft} />;
    case 'method':
      return <MethodStep {...props} />;
    case 'credentials':
      if (props.profile.authMethod === 'certificate') return <CertificateRequestStep {...props} />;
      if (props.profile.authMethod === 'oauth') return <OAuthStep {...props} />;
      return <CredentialsStep {...props} />;
    case 'import':
      return <ImportStep {...props} />;
    case 'login':
      return <LoginStep {...props} />;
    case 'target':
      return <TargetStep {...props} />;
    case 'export':
      return <ExportStep {...props} onWritten={setWritten} />;
    case 'done':
      return <DoneStep api={props.api} profile={props.profile} written={written} onHome={goHome} />;
  }
}

/** The furthest step reached so far: going back to fix something does not lose later steps. */
function furthestOf(saved: StepId, next: StepId): StepId {
  return stepIndex(next) > stepIndex(saved) ? next : saved;
}
