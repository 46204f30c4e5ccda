/*
 * java.exe stand-in for the windows test suite: the exported anaplan-connect.bat checks Java as
 * AnaplanClient.bat does, with "%JAVA_HOME%\bin\java.exe" -fullversion, before it runs Anaplan
 * Connect. Answers that as a JDK 17 does (on stderr); anything else exits 1. No C runtime.
 *
 * Built by test/windows/harness.ts with Debian's gcc-mingw-w64-x86-64-win32:
 *   x86_64-w64-mingw32-gcc -Os -s -nostdlib -ffreestanding -fno-stack-protector \
 *     -e entry -o java.exe java-stand-in.c -lkernel32
 */
#include <windows.h>

void entry(void)
{
    static const char version[] = "java full version \"17.0.9+9\"\r\n";
    static const wchar_t option[] = L"-fullversion";
    const wchar_t *p;
    DWORD written;
    for (p = GetCommandLineW(); *p; p++) {
        int i = 0;
        while (option[i] && p[i] == option[i])
            i++;
        if (!option[i]) {
            WriteFile(GetStdHandle(STD_ERROR_HANDLE), version, sizeof version - 1, &written, NULL);
            ExitProcess(0);
        }
    }
    ExitProcess(1);
}
