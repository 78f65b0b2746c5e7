'use strict';

/** One JSON object per line on stdout: what the cluster's log collection reads. */
function log(level, msg, fields = {}) {
  process.stdout.write(
    `${JSON.stringify({
      time: new Date().toISOString(),
      level,
      msg,
      ...fields,
    })}\n`,
  );
}

module.exports = { log };
