// One-shot (the compose file's mongo-init): make the one-node replica set rs0 if it is
// not made yet, then wait until this node is a writable primary. Exits 0 then, 1 after
// the deadline. Running it again on a set that is up changes nothing.
const HOST = "mongo:27017";
const deadline = Date.now() + 180 * 1000;

function waitOr(message) {
  if (Date.now() > deadline) {
    print(`mongo-init: ${message} after 180 s`);
    quit(1);
  }
  sleep(1000);
}

// mongosh throws on a failed command: one shape for both outcomes.
function command(db, doc) {
  try {
    return db.runCommand(doc);
  } catch (e) {
    return { ok: 0, codeName: e.codeName, errmsg: e.message };
  }
}

let admin = null;
while (admin === null) {
  try {
    const conn = new Mongo(`mongodb://${HOST}/?directConnection=true&serverSelectionTimeoutMS=2000`);
    admin = conn.getDB("admin");
    admin.runCommand({ ping: 1 }); // throws while the server does not answer
  } catch (e) {
    admin = null;
    waitOr(`no answer from ${HOST}: ${e.message}`);
  }
}

const status = command(admin, { replSetGetStatus: 1 });
if (status.ok !== 1 && status.codeName === "NotYetInitialized") {
  const made = command(admin, {
    replSetInitiate: { _id: "rs0", members: [{ _id: 0, host: HOST }] },
  });
  // AlreadyInitialized: another run got there first, which is as good.
  if (made.ok !== 1 && made.codeName !== "AlreadyInitialized") {
    print(`mongo-init: replSetInitiate failed: ${tojson(made)}`);
    quit(1);
  }
  print("mongo-init: replica set rs0 initiated");
} else if (status.ok !== 1) {
  print(`mongo-init: replSetGetStatus failed: ${tojson(status)}`);
  quit(1);
}

while (!command(admin, { hello: 1 }).isWritablePrimary) {
  waitOr("no writable primary");
}
print("mongo-init: rs0 has a writable primary");
quit(0);
