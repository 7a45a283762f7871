-- Liaison on-device schema, version 7: the tablet enrols itself from the enrolment string the
-- force IT team gives the officer (issue 10). The string names the server, the force CA and a
-- one-time code; they are kept here, in the encrypted database, from the passcode set-up until
-- the server has answered, so an enrolment cut off by a lost connection is simply tried again
-- with the same code and the same device id (the server allows that within the code's life).
ALTER TABLE sync_state ADD COLUMN force_ca_pem BLOB;      -- the force CA the device pins (PEM)
ALTER TABLE sync_state ADD COLUMN enrolment_code TEXT;    -- the one-time code, until redeemed
