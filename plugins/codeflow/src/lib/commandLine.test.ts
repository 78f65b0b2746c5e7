import {
  formatCommand,
  formatCommands,
  parseCommandLine,
  parseCommands,
} from './commandLine';

describe('command lines', () => {
  it('splits a line at spaces into arguments, quotes keeping spaces inside one', () => {
    expect(parseCommandLine('npm run build')).toEqual({
      argv: ['npm', 'run', 'build'],
    });
    expect(parseCommandLine(`sh -c "npm ci && npm test"`)).toEqual({
      argv: ['sh', '-c', 'npm ci && npm test'],
    });
    expect(parseCommandLine(`echo 'a "b"' "c \\"d\\"" e\\ f ""`)).toEqual({
      argv: ['echo', 'a "b"', 'c "d"', 'e f', ''],
    });
  });

  it('keeps $, && and | as plain text: no shell reads them', () => {
    expect(parseCommandLine('echo $HOME && rm -rf / | cat')).toEqual({
      argv: ['echo', '$HOME', '&&', 'rm', '-rf', '/', '|', 'cat'],
    });
  });

  it('names what it cannot read', () => {
    expect(parseCommandLine('echo "open')).toEqual({
      error: 'the " quote is not closed',
    });
    expect(parseCommandLine('echo \\')).toEqual({
      error: 'a \\ at the end of the line escapes nothing',
    });
    expect(parseCommands('npm ci\n\necho "x')).toEqual({
      error: 'line 3: the " quote is not closed',
    });
  });

  it('writes argv lists back as lines that read back the same', () => {
    const commands = [
      ['npm', 'ci'],
      ['sh', '-c', 'npm test && echo "done"'],
      ['echo', '', 'a\\b', "it's"],
    ];
    const text = formatCommands(commands);
    expect(text.split('\n')[1]).toBe('sh -c "npm test && echo \\"done\\""');
    expect(parseCommands(text)).toEqual({ commands });
    expect(formatCommand(['node', 'dist/server.js'])).toBe(
      'node dist/server.js',
    );
  });
});
