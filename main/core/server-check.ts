import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerFinding {
  level: 'ok' | 'warn' | 'block';
  message: string;
}

/**
 * When the assistant runs on the integration server itself, it checks what the job will need
 * there: Anaplan Connect's folder with AnaplanClient.sh/.bat and its jar, and the Java it uses
 * (JAVA_HOME, else `java` on the PATH, as AnaplanClient.sh looks for it: anaplan-facts §5).
 */
export function checkServerSetup(input: { anaplanConnectDir: string; javaHome: string }, platform: NodeJS.Platform = process.platform): ServerFinding[] {
  return [...checkAnaplanConnect(input.anaplanConnectDir.trim(), platform), checkJava(input.javaHome.trim(), platform)];
}

function checkAnaplanConnect(dir: string, platform: NodeJS.Platform): ServerFinding[] {
  if (!dir) return [{ level: 'warn', message: 'No Anaplan Connect folder given: the script will look next to itself, so copy it into the Anaplan Connect folder.' }];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return [{ level: 'block', message: `${dir} is not a folder on this machine. Install Anaplan Connect there (unzip it from Anaplan's download page), or give the folder it is in.` }];
  }
  const client = platform === 'win32' ? 'AnaplanClient.bat' : 'AnaplanClient.sh';
  const findings: ServerFinding[] = [];
  const clientPath = join(dir, client);
  if (!existsSync(clientPath)) {
    findings.push({ level: 'block', message: `${client} is not in ${dir}. Is this the Anaplan Connect folder?` });
  } else if (platform !== 'win32' && !isExecutable(clientPath)) {
    findings.push({ level: 'block', message: `${clientPath} is not executable. Run: chmod +x "${clientPath}"` });
  } else {
    findings.push({ level: 'ok', message: `${client} found in ${dir}.` });
  }
  const jar = readdirSync(dir).find((name) => /^anaplan-connect.*\.jar$/i.test(name));
  findings.push(
    jar
      ? { level: 'ok', message: `Anaplan Connect jar: ${jar}. -workspace_id and -model_id need version 4.1.0 or later.` }
      : { level: 'warn', message: `No anaplan-connect-*.jar in ${dir}: AnaplanClient cannot start without it.` },
  );
  return findings;
}

function checkJava(javaHome: string, platform: NodeJS.Platform): ServerFinding {
  const executable = platform === 'win32' ? 'java.exe' : 'java';
  const java = javaHome ? join(javaHome, 'bin', executable) : 'java';
  if (javaHome && !existsSync(java)) return { level: 'block', message: `${java} does not exist: JAVA_HOME must be the folder that holds bin/${executable}.` };
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.error || probe.status !== 0) {
    return { level: 'block', message: javaHome ? `${java} did not start (${probe.error?.message ?? `exit ${probe.status}`}).` : 'No java on the PATH here, and no JAVA_HOME given: install a Java runtime, or give JAVA_HOME.' };
  }
  const version = (probe.stderr || probe.stdout).split('\n')[0]?.trim() ?? 'unknown version';
  return { level: 'ok', message: `Java: ${version} (${javaHome ? java : 'from the PATH'}). A job under cron or Task Scheduler may have a shorter PATH: give JAVA_HOME to be sure.` };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
