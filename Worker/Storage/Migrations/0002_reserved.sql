-- Reserved: version 2 belongs to another feature's migration, numbered by the lead.
-- This empty step only keeps the sequence gap-free on the signals branch; delete it when the real 0002 file is merged.
SELECT 1;
