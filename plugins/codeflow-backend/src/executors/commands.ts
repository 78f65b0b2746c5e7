/** A run parameter's name, as Jenkins, Kubernetes and a shell all take it. */
export const PARAMETER_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
/** An argument that is exactly `${NAME}`: the value of that run parameter. */
const PARAMETER_REFERENCE = /^\$\{([A-Z_][A-Z0-9_]{0,63})\}$/;

/** One argument for sh: literal in single quotes, or a declared parameter's value in double quotes. */
function shellArgument(
  argument: string,
  parameters: readonly string[],
): string {
  const reference = PARAMETER_REFERENCE.exec(argument);
  if (reference) {
    if (!parameters.includes(reference[1])) {
      throw new Error(
        `the argument ${argument} names no parameter of the run (${parameters.join(
          ', ',
        )})`,
      );
    }
    return `"\${${reference[1]}}"`;
  }
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** A command (argv) as one sh line. */
export function shellCommand(
  argv: readonly string[],
  parameters: readonly string[],
): string {
  if (argv.length === 0) throw new Error('a command has at least its program');
  return argv.map(argument => shellArgument(argument, parameters)).join(' ');
}
